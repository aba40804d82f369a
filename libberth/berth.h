/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* the module SDK: everything a module or client of berth includes */

#include "berth-archive.h"
#include "berth-content-store.h"
#include "berth-driver.h"
#include "berth-error.h"
#include "berth-fs.h"
#include "berth-json.h"
#include "berth-json-write.h"
#include "berth-module.h"
#include "berth-oci-spec.h"
#include "berth-paths.h"
#include "berth-plugin-client.h"
#include "berth-plugin-config.h"
#include "berth-plugin-settings.h"
#include "berth-reference.h"
#include "berth-registry-manifest.h"
#include "berth-runtime.h"
#include "berth-snapshotter.h"
#include "berth-template.h"
#include "berth-transport.h"
#include "berth-volume.h"
#include "berth-volumes.h"
