/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <berth.h>

G_BEGIN_DECLS

/* a real berthd on a temporary root, run dir and socket, and the real berth
 * binary to drive it; the binaries come from the build (BERTHD, BERTH) */
typedef struct
{
  gchar *tmp;
  gchar *root;
  gchar *run_dir;
  gchar *module_dir;
  gchar *config;
  gchar *address;
  gchar *log_path;
  GPid pid;
} BerthTestDaemon;

typedef struct
{
  gint status; /* exit code, or 128 + signal */
  gchar *out;
  gchar *err;
} BerthTestResult;

BerthTestDaemon *berth_test_daemon_new (void);
void berth_test_daemon_set_config (BerthTestDaemon *d, const gchar *text);
void berth_test_daemon_add_module (BerthTestDaemon *d, const gchar *name, const gchar *dir);
gboolean
berth_test_daemon_start (BerthTestDaemon *d, const gchar *const *extra_args, GError **error);
gint berth_test_daemon_stop (BerthTestDaemon *d, gint signum);
gchar *berth_test_daemon_log (BerthTestDaemon *d);
void berth_test_daemon_free (BerthTestDaemon *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthTestDaemon, berth_test_daemon_free)

BerthTestResult *berth_test_run (BerthTestDaemon *d, uid_t as_uid, const gchar *first_arg, ...)
  G_GNUC_NULL_TERMINATED;
BerthTestResult *berth_test_runv (BerthTestDaemon *d, uid_t as_uid, const gchar *const *argv);
BerthTestResult *berth_test_run_with_input (BerthTestDaemon *d,
                                            const gchar *input,
                                            const gchar *first_arg,
                                            ...) G_GNUC_NULL_TERMINATED;
BerthTestResult *
berth_test_spawn (const gchar *const *argv, const gchar *const *envp, uid_t as_uid);
void berth_test_result_free (BerthTestResult *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthTestResult, berth_test_result_free)

const gchar *berth_test_binary (const gchar *env_name);
void berth_test_die_with_parent (gpointer data);
JsonNode *berth_test_parse_json (const gchar *text);

void berth_test_daemon_use_build_modules (BerthTestDaemon *d);
BerthTestDaemon *berth_test_daemon_start_built (void);
gboolean berth_test_can_run_plugins (void);
void berth_test_remove_all_plugins (BerthTestDaemon *d);
gchar *berth_test_make_plugin (BerthTestDaemon *d, const gchar *name, const gchar *config_json);
gchar *berth_test_run_ok (BerthTestDaemon *d, const gchar *first_arg, ...) G_GNUC_NULL_TERMINATED;

#define BERTH_TEST_AS_CALLER ((uid_t)-1)

/* a real docker-registry on 127.0.0.1 (Debian package docker-registry) */
typedef struct
{
  GSubprocess *proc;
  gchar *host; /* 127.0.0.1:PORT */
} BerthTestRegistry;

guint16 berth_test_free_port (void);
BerthTestRegistry *berth_test_registry_start (const gchar *dir);
void berth_test_registry_stop (BerthTestRegistry *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BerthTestRegistry, berth_test_registry_stop)

G_END_DECLS
