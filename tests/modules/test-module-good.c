/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* a module that works: a driver for "test.echo/1.0" and two runtimes of
 * different priority, to prove selection by priority and by configuration */
#include <berth.h>

#define TEST_TYPE_DRIVER (test_driver_get_type ())
G_DECLARE_FINAL_TYPE (TestDriver, test_driver, TEST, DRIVER, GObject)
struct _TestDriver
{
  GObject parent_instance;
};

static const gchar *const *
test_driver_get_types (BerthDriver *driver)
{
  static const gchar *const types[] = { "test.echo/1.0", NULL };
  return types;
}

static void
test_driver_iface_init (BerthDriverInterface *iface)
{
  iface->get_types = test_driver_get_types;
}

G_DEFINE_DYNAMIC_TYPE_EXTENDED (TestDriver,
                                test_driver,
                                G_TYPE_OBJECT,
                                G_TYPE_FLAG_FINAL,
                                G_IMPLEMENT_INTERFACE_DYNAMIC (BERTH_TYPE_DRIVER,
                                                               test_driver_iface_init))

static void
test_driver_class_init (TestDriverClass *klass)
{
}

static void
test_driver_class_finalize (TestDriverClass *klass)
{
}

static void
test_driver_init (TestDriver *self)
{
}

#define TEST_TYPE_RUNTIME_A (test_runtime_a_get_type ())
G_DECLARE_FINAL_TYPE (TestRuntimeA, test_runtime_a, TEST, RUNTIME_A, GObject)
struct _TestRuntimeA
{
  GObject parent_instance;
};

static void
test_runtime_iface_init (BerthRuntimeInterface *iface)
{
}

G_DEFINE_DYNAMIC_TYPE_EXTENDED (TestRuntimeA,
                                test_runtime_a,
                                G_TYPE_OBJECT,
                                G_TYPE_FLAG_FINAL,
                                G_IMPLEMENT_INTERFACE_DYNAMIC (BERTH_TYPE_RUNTIME,
                                                               test_runtime_iface_init))

static void
test_runtime_a_class_init (TestRuntimeAClass *klass)
{
}

static void
test_runtime_a_class_finalize (TestRuntimeAClass *klass)
{
}

static void
test_runtime_a_init (TestRuntimeA *self)
{
}

#define TEST_TYPE_RUNTIME_B (test_runtime_b_get_type ())
G_DECLARE_FINAL_TYPE (TestRuntimeB, test_runtime_b, TEST, RUNTIME_B, GObject)
struct _TestRuntimeB
{
  GObject parent_instance;
};

G_DEFINE_DYNAMIC_TYPE_EXTENDED (TestRuntimeB,
                                test_runtime_b,
                                G_TYPE_OBJECT,
                                G_TYPE_FLAG_FINAL,
                                G_IMPLEMENT_INTERFACE_DYNAMIC (BERTH_TYPE_RUNTIME,
                                                               test_runtime_iface_init))

static void
test_runtime_b_class_init (TestRuntimeBClass *klass)
{
}

static void
test_runtime_b_class_finalize (TestRuntimeBClass *klass)
{
}

static void
test_runtime_b_init (TestRuntimeB *self)
{
}

gboolean
berth_module_good_load (GTypeModule *module, GError **error);

gboolean
berth_module_good_load (GTypeModule *module, GError **error)
{
  test_driver_register_type (module);
  test_runtime_a_register_type (module);
  test_runtime_b_register_type (module);
  g_io_extension_point_implement (BERTH_EXTENSION_POINT_DRIVER, TEST_TYPE_DRIVER, "test-echo", 0);
  g_io_extension_point_implement (BERTH_EXTENSION_POINT_RUNTIME, TEST_TYPE_RUNTIME_A, "alpha", 10);
  g_io_extension_point_implement (BERTH_EXTENSION_POINT_RUNTIME, TEST_TYPE_RUNTIME_B, "beta", 20);
  return TRUE;
}

BERTH_MODULE_DEFINE (good)
