/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include "berth-cli.h"
#include "berth-template.h"

/* berth run, ps and rm: docker's words, small on purpose */

#define CONTAINERS_INTERFACE "org.berth.Berth1.Containers"

/* the options of `run` that take a value: the image is the first word
 * that is neither an option nor such a value */
static const gchar *const value_options[]
  = { "-v",        "--volume", "-e", "--env",  "-w",           "--workdir", "--name",
      "--network", "--net",    "-u", "--user", "--entrypoint", NULL };

static gint
find_image (gint argc, gchar **argv)
{
  for (gint i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--"))
        return i + 1;
      if (argv[i][0] != '-' || argv[i][1] == '\0')
        return i;
      if (g_strv_contains (value_options, argv[i]))
        i++;
    }
  return argc;
}

/* `-e KEY` takes KEY's value from this environment, as docker's does */
static GStrv
resolve_env (gchar **env)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      if (strchr (env[i], '=') != NULL)
        g_strv_builder_add (builder, env[i]);
      else if (g_getenv (env[i]) != NULL)
        {
          g_autofree gchar *entry = g_strdup_printf ("%s=%s", env[i], g_getenv (env[i]));
          g_strv_builder_add (builder, entry);
        }
    }
  return g_strv_builder_end (builder);
}

/* `run -t`: the process's terminal comes from berthd as a Console signal;
 * while the call waits, its output is copied to our stdout and (with -i)
 * our stdin to it, our own terminal raw so that Ctrl-C reaches the process */
typedef struct
{
  gint master;
  gboolean forward_stdin;
  gboolean raw;
  struct termios saved;
  gint winch; /* a signalfd for SIGWINCH: our terminal's size follows to it */
} Relay;

static void
copy_size (Relay *relay)
{
  struct winsize size;
  if (relay->master >= 0 && ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) == 0)
    (void)ioctl (relay->master, TIOCSWINSZ, &size);
}

static gboolean
write_all_fd (gint fd, const gchar *buf, gssize len)
{
  while (len > 0)
    {
      gssize n = write (fd, buf, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      buf += n;
      len -= n;
    }
  return TRUE;
}

/* copies what the terminal has; FALSE once the process has let it go */
static gboolean
relay_output (Relay *relay)
{
  gchar buf[16384];
  gssize n = read (relay->master, buf, sizeof buf);

  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return TRUE;
  if (n <= 0)
    {
      close (relay->master);
      relay->master = -1;
      return FALSE;
    }
  write_all_fd (STDOUT_FILENO, buf, n);
  return TRUE;
}

static void
relay_wait (gint bus_fd, gpointer user_data)
{
  Relay *relay = user_data;

  for (;;)
    {
      struct pollfd fds[4] = { { .fd = bus_fd, .events = POLLIN } };
      guint n = 1;
      gint master_at = -1, stdin_at = -1, winch_at = -1;

      if (relay->master >= 0 && relay->winch >= 0)
        {
          winch_at = n;
          fds[n++] = (struct pollfd){ .fd = relay->winch, .events = POLLIN };
        }
      if (relay->master >= 0)
        {
          master_at = n;
          fds[n++] = (struct pollfd){ .fd = relay->master, .events = POLLIN };
          if (relay->forward_stdin)
            {
              stdin_at = n;
              fds[n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
            }
        }
      if (poll (fds, n, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return;
        }
      if (winch_at >= 0 && fds[winch_at].revents != 0)
        {
          struct signalfd_siginfo info;
          if (read (relay->winch, &info, sizeof info) > 0)
            copy_size (relay);
        }
      if (master_at >= 0 && fds[master_at].revents != 0)
        relay_output (relay);
      if (stdin_at >= 0 && fds[stdin_at].revents != 0 && relay->master >= 0)
        {
          gchar buf[4096];
          gssize got = read (STDIN_FILENO, buf, sizeof buf);
          if (got > 0)
            write_all_fd (relay->master, buf, got);
          else if (got == 0 || errno != EINTR)
            relay->forward_stdin = FALSE;
        }
      if (fds[0].revents != 0)
        return;
    }
}

static void
on_console (BerthCliMessage *signal, guint32 serial, gpointer user_data)
{
  Relay *relay = user_data;
  guint32 call;
  gint32 handle;

  GVariant *body;

  if (g_strcmp0 (signal->member, "Console") != 0 || !g_str_equal (signal->signature, "uh")
      || (body = berth_cli_message_get_body (signal, NULL)) == NULL)
    return;
  g_variant_get (body, "(uh)", &call, &handle);
  if (call != serial || relay->master >= 0)
    return;
  relay->master = berth_cli_fds_steal (signal->fds, handle);
  if (relay->master < 0)
    return;
  copy_size (relay);
  /* raw: keys go to the process as they are typed, Ctrl-C included */
  if (relay->forward_stdin && isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &relay->saved) == 0)
    {
      struct termios raw = relay->saved;
      cfmakeraw (&raw);
      relay->raw = tcsetattr (STDIN_FILENO, TCSANOW, &raw) == 0;
    }
}

/* what the terminal still holds when the process has ended */
static void
relay_finish (Relay *relay)
{
  if (relay->master >= 0)
    {
      (void)fcntl (relay->master, F_SETFL, fcntl (relay->master, F_GETFL) | O_NONBLOCK);
      while (relay->master >= 0 && relay_output (relay))
        {
          struct pollfd pfd = { .fd = relay->master, .events = POLLIN };
          if (relay->master >= 0 && poll (&pfd, 1, 0) <= 0)
            break;
        }
    }
  if (relay->master >= 0)
    close (relay->master);
  relay->master = -1;
  if (relay->raw)
    (void)tcsetattr (STDIN_FILENO, TCSANOW, &relay->saved);
  relay->raw = FALSE;
  if (relay->winch >= 0)
    close (relay->winch);
  relay->winch = -1;
}

/* docker's exit codes for what went wrong before the command ran: 125,
 * 126 when it cannot be invoked, 127 when it is not there */
static gint
run_failed (BerthCli *cli, GError *error)
{
  gboolean missing = strstr (error->message, "executable file not found") != NULL
                     || strstr (error->message, "no such file or directory") != NULL;
  gboolean denied = strstr (error->message, "permission denied") != NULL
                    && strstr (error->message, "exec") != NULL;

  berth_cli_fail (cli, error);
  return missing ? 127 : denied ? 126 : 125;
}

static gint
cmd_run (BerthCli *cli, gint argc, gchar **argv)
{
  gint exit_code;
  g_auto(GStrv) volumes = NULL;
  g_auto(GStrv) env = NULL;
  g_auto(GStrv) resolved_env = NULL;
  g_autofree gchar *workdir = NULL;
  g_autofree gchar *name = NULL;
  g_autofree gchar *network = NULL;
  g_autofree gchar *user = NULL;
  g_autofree gchar *entrypoint = NULL;
  gboolean auto_remove = FALSE;
  gboolean interactive = FALSE;
  gboolean tty = FALSE;
  const GOptionEntry entries[] = {
    { "entrypoint", 0, 0, G_OPTION_ARG_STRING, &entrypoint,
      "Overwrite the default ENTRYPOINT of the image", "string" },
    { "env", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &env, "Set environment variables", "KEY=VALUE" },
    { "interactive", 'i', 0, G_OPTION_ARG_NONE, &interactive, "Keep STDIN open", NULL },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "Assign a name to the container", "string" },
    { "network", 0, 0, G_OPTION_ARG_STRING, &network,
      "Connect a container to a network: none (the default) or host", "network" },
    { "net", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &network, NULL, NULL },
    { "rm", 0, 0, G_OPTION_ARG_NONE, &auto_remove,
      "Automatically remove the container when it exits", NULL },
    { "tty", 't', 0, G_OPTION_ARG_NONE, &tty, "Allocate a pseudo-TTY", NULL },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user,
      "Username or UID (format: <name|uid>[:<group|gid>])", "string" },
    { "volume", 'v', 0, G_OPTION_ARG_STRING_ARRAY, &volumes,
      "Bind mount a volume (NAME:/path[:ro] or /host/path:/path[:ro])", "list" },
    { "workdir", 'w', 0, G_OPTION_ARG_STRING, &workdir, "Working directory inside the container",
      "string" },
    { NULL },
  };
  gint image_at = find_image (argc, argv);
  g_autofree gchar **options = g_new0 (gchar *, image_at + 1);
  gint n_options = image_at;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  GVariantBuilder dict;
  gint null_fd;
  gint stdio[3] = { -1, STDOUT_FILENO, STDERR_FILENO };
  const gchar *id;
  gint code;
  Relay relay = { .master = -1, .winch = -1 };

  /* the options are parsed up to the image; what follows is the command */
  memcpy (options, argv, sizeof (gchar *) * image_at);
  if (!berth_cli_parse (cli, "[OPTIONS] IMAGE [COMMAND] [ARG...]",
                        "Create and run a new container from an image, its volumes mounted "
                        "through their drivers and unmounted when it ends.",
                        entries, 0, 0, &n_options, &options, &exit_code))
    return exit_code;
  if (image_at >= argc)
    {
      g_printerr ("berth: 'run' requires at least 1 argument\nSee 'berth run --help'.\n");
      return BERTH_EXIT_ERROR;
    }
  resolved_env = resolve_env (env);

  g_variant_builder_init (&dict, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&dict, "{sv}", "Image", g_variant_new_string (argv[image_at]));
  if (image_at + 1 < argc)
    g_variant_builder_add (
      &dict, "{sv}", "Cmd",
      g_variant_new_strv ((const gchar *const *)argv + image_at + 1, argc - image_at - 1));
  g_variant_builder_add (&dict, "{sv}", "Env",
                         g_variant_new_strv ((const gchar *const *)resolved_env, -1));
  if (volumes != NULL)
    g_variant_builder_add (&dict, "{sv}", "Volumes",
                           g_variant_new_strv ((const gchar *const *)volumes, -1));
  if (entrypoint != NULL)
    g_variant_builder_add (&dict, "{sv}", "Entrypoint", g_variant_new_string (entrypoint));
  if (workdir != NULL)
    g_variant_builder_add (&dict, "{sv}", "WorkingDir", g_variant_new_string (workdir));
  if (user != NULL)
    g_variant_builder_add (&dict, "{sv}", "User", g_variant_new_string (user));
  if (name != NULL)
    g_variant_builder_add (&dict, "{sv}", "Name", g_variant_new_string (name));
  if (network != NULL)
    g_variant_builder_add (&dict, "{sv}", "Network", g_variant_new_string (network));
  g_variant_builder_add (&dict, "{sv}", "AutoRemove", g_variant_new_boolean (auto_remove));
  if (tty)
    {
      struct winsize size;
      g_variant_builder_add (&dict, "{sv}", "Tty", g_variant_new_boolean (TRUE));
      if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_row > 0)
        {
          g_variant_builder_add (&dict, "{sv}", "TtyRows", g_variant_new_uint32 (size.ws_row));
          g_variant_builder_add (&dict, "{sv}", "TtyColumns", g_variant_new_uint32 (size.ws_col));
        }
    }

  /* the process writes to our own stdout and stderr; it reads our stdin
   * only with -i, as docker's */
  null_fd = interactive ? -1 : open ("/dev/null", O_RDONLY | O_CLOEXEC);
  if (!interactive && null_fd < 0)
    {
      g_set_error (&error, BERTH_ERROR, BERTH_ERROR_FAILED, "cannot open /dev/null: %s",
                   g_strerror (errno));
      return run_failed (cli, error);
    }
  stdio[0] = interactive ? STDIN_FILENO : null_fd;
  if (!berth_cli_connect (cli, &error))
    {
      if (null_fd >= 0)
        close (null_fd);
      return run_failed (cli, error);
    }
  relay.forward_stdin = interactive;
  if (tty)
    {
      sigset_t winch;
      sigemptyset (&winch);
      sigaddset (&winch, SIGWINCH);
      if (sigprocmask (SIG_BLOCK, &winch, NULL) == 0)
        relay.winch = signalfd (-1, &winch, SFD_CLOEXEC);
      berth_cli_bus_set_wait_func (cli->bus, relay_wait, &relay);
    }
  reply = berth_cli_bus_call_full (
    cli->bus, cli->bus_name, BERTH_DBUS_PATH, CONTAINERS_INTERFACE, "Run",
    g_variant_new ("(@a{sv}hhh)", g_variant_builder_end (&dict), 0, 1, 2), stdio,
    G_N_ELEMENTS (stdio), G_VARIANT_TYPE ("(si)"), NULL, tty ? on_console : NULL, &relay, &error);
  berth_cli_bus_set_wait_func (cli->bus, NULL, NULL);
  if (null_fd >= 0)
    close (null_fd);
  relay_finish (&relay);
  if (reply == NULL)
    return run_failed (cli, error);
  g_variant_get (reply, "(&si)", &id, &code);
  return code;
}

/* `3 minutes`, `About an hour`: docker's units.HumanDuration */
static gchar *
since (const gchar *iso8601)
{
  g_autoptr(GDateTime) then = iso8601 != NULL && iso8601[0] != '\0'
                                 ? g_date_time_new_from_iso8601 (iso8601, NULL)
                                 : NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  gint64 seconds = then != NULL ? g_date_time_difference (now, then) / G_USEC_PER_SEC : 0;
  return berth_human_duration (seconds);
}

static gchar *
status_text (const gchar *state, gint exit_code, const gchar *created, const gchar *finished)
{
  g_autofree gchar *up = NULL;

  if (g_strcmp0 (state, "running") == 0)
    {
      up = since (created);
      return g_strdup_printf ("Up %s", up);
    }
  if (g_strcmp0 (state, "exited") == 0)
    {
      up = since (finished);
      return g_strdup_printf ("Exited (%d) %s ago", exit_code < 0 ? 255 : exit_code, up);
    }
  return g_strdup ("Created");
}

/* docker's COMMAND column: quoted, cut to 20 characters with … */
static gchar *
command_text (const gchar *const *command, gboolean no_trunc)
{
  g_autofree gchar *joined = g_strjoinv (" ", (gchar **)command);
  if (!no_trunc && g_utf8_strlen (joined, -1) > 19)
    {
      g_autofree gchar *cut = g_utf8_substring (joined, 0, 19);
      return g_strdup_printf ("\"%s…\"", cut);
    }
  return g_strdup_printf ("\"%s\"", joined);
}

/* docker's ps filters berth knows: status=, name= (a part of it), id= (a
 * prefix); an unknown one is an error even where nothing would be listed */
static gboolean
check_filters (const gchar *const *filters, GError **error)
{
  for (guint i = 0; filters != NULL && filters[i] != NULL; i++)
    if (!g_str_has_prefix (filters[i], "status=") && !g_str_has_prefix (filters[i], "name=")
        && !g_str_has_prefix (filters[i], "id="))
      {
        g_set_error (error, BERTH_ERROR, BERTH_ERROR_INVALID_ARGUMENT,
                     "invalid filter '%s': berth ps knows status=, name= and id=", filters[i]);
        return FALSE;
      }
  return TRUE;
}

static gboolean
container_matches (const gchar *const *filters,
                   const gchar *id,
                   const gchar *name,
                   const gchar *state)
{
  for (guint i = 0; filters != NULL && filters[i] != NULL; i++)
    {
      const gchar *value = strchr (filters[i], '=') + 1;

      if (g_str_has_prefix (filters[i], "status=") && g_strcmp0 (state, value) != 0)
        return FALSE;
      if (g_str_has_prefix (filters[i], "name=") && (name == NULL || strstr (name, value) == NULL))
        return FALSE;
      if (g_str_has_prefix (filters[i], "id=") && !g_str_has_prefix (id, value))
        return FALSE;
    }
  return TRUE;
}

static gint
cmd_ps (BerthCli *cli, gint argc, gchar **argv)
{
  gint exit_code;
  gboolean all = FALSE;
  gboolean quiet = FALSE;
  gboolean no_trunc = FALSE;
  g_auto(GStrv) filters = NULL;
  g_autofree gchar *format = NULL;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Show all containers (default shows just running)",
      NULL },
    { "filter", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &filters,
      "Filter output based on conditions provided (status=, name=, id=)", "filter" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format,
      "Format output using a custom template: 'table' | 'table TEMPLATE' | 'json' | 'TEMPLATE'",
      "string" },
    { "no-trunc", 0, 0, G_OPTION_ARG_NONE, &no_trunc, "Don't truncate output", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Only display container IDs", NULL },
    { NULL },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) list = NULL;
  g_autoptr(BerthTable) table = berth_table_new (0, 3);
  g_autoptr(BerthTemplate) template = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  gboolean json;
  GVariantIter iter;
  GVariant *item;

  if (!berth_cli_parse (cli, "[OPTIONS]", "List containers", entries, 0, 0, &argc, &argv,
                        &exit_code))
    return exit_code;
  if (cli->json && format == NULL)
    format = g_strdup ("json");
  json = g_strcmp0 (format, "json") == 0;
  if (!check_filters ((const gchar *const *)filters, &error))
    return berth_cli_fail (cli, error);
  /* a status filter shows containers that do not run, as docker's does */
  for (guint i = 0; filters != NULL && filters[i] != NULL; i++)
    all = all || g_str_has_prefix (filters[i], "status=");
  if (format != NULL && !json && !g_str_equal (format, "table"))
    {
      template
        = berth_template_new (g_str_has_prefix (format, "table ") ? format + 6 : format, &error);
      if (template == NULL)
        return berth_cli_fail (cli, error);
    }
  reply = berth_cli_call (cli, BERTH_DBUS_PATH, CONTAINERS_INTERFACE, "List", NULL,
                          G_VARIANT_TYPE ("(aa{sv})"), &error);
  if (reply == NULL)
    return berth_cli_fail (cli, error);
  list = g_variant_get_child_value (reply, 0);
  if (!quiet && !json && template == NULL)
    berth_table_add_row (table, "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS",
                         "NAMES", NULL);
  g_variant_iter_init (&iter, list);
  while ((item = g_variant_iter_next_value (&iter)) != NULL)
    {
      g_autoptr(GVariant) owned = item;
      g_autoptr(GVariantDict) dict = g_variant_dict_new (item);
      const gchar *id = berth_cli_dict_string (dict, "Id");
      const gchar *state = berth_cli_dict_string (dict, "State");
      const gchar *created = berth_cli_dict_string (dict, "Created");
      const gchar *name = berth_cli_dict_string (dict, "Name");
      g_autofree const gchar **command = NULL;
      g_autofree const gchar **mounts = NULL;
      g_autofree gchar *short_id = g_strndup (id, no_trunc ? 64 : 12);
      g_autofree gchar *cmd = NULL;
      g_autofree gchar *ago = NULL;
      g_autofree gchar *created_text = NULL;
      g_autofree gchar *status = NULL;
      g_autofree gchar *mounts_text = NULL;
      gint exit_code_value = -1;

      if (!all && g_strcmp0 (state, "running") != 0)
        continue;
      if (!container_matches ((const gchar *const *)filters, id, name, state))
        continue;
      if (quiet)
        {
          g_string_append_printf (out, "%s\n", short_id);
          continue;
        }
      g_variant_dict_lookup (dict, "Command", "^a&s", &command);
      g_variant_dict_lookup (dict, "Mounts", "^a&s", &mounts);
      g_variant_dict_lookup (dict, "ExitCode", "i", &exit_code_value);
      cmd = command_text (command != NULL ? command : (const gchar *[]){ NULL }, no_trunc);
      ago = since (created);
      created_text = g_strdup_printf ("%s ago", ago);
      status
        = status_text (state, exit_code_value, created, berth_cli_dict_string (dict, "FinishedAt"));
      mounts_text
        = g_strjoinv (",", (gchar **)(mounts != NULL ? mounts : (const gchar *[]){ NULL }));
      if (json || template != NULL)
        {
          /* docker's ps --format fields */
          GVariantBuilder row;
          g_autoptr(GVariant) value = NULL;

          g_variant_builder_init (&row, G_VARIANT_TYPE_VARDICT);
          g_variant_builder_add (&row, "{sv}", "Command", g_variant_new_string (cmd));
          g_variant_builder_add (&row, "{sv}", "CreatedAt", g_variant_new_string (created));
          g_variant_builder_add (&row, "{sv}", "ID", g_variant_new_string (short_id));
          g_variant_builder_add (&row, "{sv}", "Image",
                                 g_variant_new_string (berth_cli_dict_string (dict, "Image")));
          g_variant_builder_add (&row, "{sv}", "Mounts", g_variant_new_string (mounts_text));
          g_variant_builder_add (&row, "{sv}", "Names", g_variant_new_string (name));
          g_variant_builder_add (&row, "{sv}", "Ports", g_variant_new_string (""));
          g_variant_builder_add (&row, "{sv}", "RunningFor", g_variant_new_string (created_text));
          g_variant_builder_add (&row, "{sv}", "State", g_variant_new_string (state));
          g_variant_builder_add (&row, "{sv}", "Status", g_variant_new_string (status));
          value = g_variant_ref_sink (g_variant_builder_end (&row));
          if (json)
            {
              berth_json_append_variant (out, value, FALSE, 0);
              g_string_append_c (out, '\n');
            }
          else
            {
              g_autofree gchar *line = berth_template_render (template, value, &error);
              if (line == NULL)
                return berth_cli_fail (cli, error);
              g_string_append_printf (out, "%s\n", line);
            }
          continue;
        }
      berth_table_add_row (table, short_id, berth_cli_dict_string (dict, "Image"), cmd,
                           created_text, status, "", name, NULL);
    }
  if (!quiet && !json && template == NULL)
    berth_table_print (table, out);
  g_print ("%s", out->str);
  return BERTH_EXIT_OK;
}

static gint
cmd_rm (BerthCli *cli, gint argc, gchar **argv)
{
  gint exit_code;
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force,
      "Force the removal of a running container (uses SIGKILL)", NULL },
    { NULL },
  };
  gint status = BERTH_EXIT_OK;

  if (!berth_cli_parse (cli, "[OPTIONS] CONTAINER [CONTAINER...]", "Remove one or more containers",
                        entries, 1, -1, &argc, &argv, &exit_code))
    return exit_code;
  for (gint i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) reply
                 = berth_cli_call (cli, BERTH_DBUS_PATH, CONTAINERS_INTERFACE, "Remove",
                                   g_variant_new ("(sb)", argv[i], force), NULL, &error);
      if (reply == NULL)
        status = berth_cli_fail (cli, error);
      else
        g_print ("%s\n", argv[i]);
    }
  return status;
}

gint
berth_cmd_run (BerthCli *cli, gint argc, gchar **argv)
{
  return cmd_run (cli, argc, argv);
}

gint
berth_cmd_ps (BerthCli *cli, gint argc, gchar **argv)
{
  return cmd_ps (cli, argc, argv);
}

gint
berth_cmd_rm (BerthCli *cli, gint argc, gchar **argv)
{
  return cmd_rm (cli, argc, argv);
}

static gint
cmd_inspect (BerthCli *cli, gint argc, gchar **argv)
{
  return berth_cli_inspect_command (cli, argc, argv, "[OPTIONS] CONTAINER [CONTAINER...]",
                                    "Display detailed information on one or more containers",
                                    CONTAINERS_INTERFACE);
}

const BerthCommand berth_cmd_container[] = {
  { "inspect", "Display detailed information on one or more containers", cmd_inspect, NULL },
  { "ls", "List containers", cmd_ps, NULL },
  { "ps", NULL, cmd_ps, NULL },
  { "list", NULL, cmd_ps, NULL },
  { "rm", "Remove one or more containers", cmd_rm, NULL },
  { "run", "Create and run a new container from an image", cmd_run, NULL },
  { NULL },
};
