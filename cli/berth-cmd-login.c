/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "BerthCli"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "berth-cli.h"

/* `berth login` and `berth logout`, with docker's flags, prompts and
 * messages. berthd checks the credentials and keeps them: a plugin is
 * pulled by berthd, not by this process. */

static void
wipe (gchar *secret)
{
  if (secret != NULL)
    memset (secret, 0, strlen (secret));
}

/* one line of stdin without its newline; NULL at the end of input */
static gchar *
read_line (void)
{
  g_autoptr(GString) line = g_string_new (NULL);
  gint c;

  while ((c = getchar ()) != EOF && c != '\n')
    g_string_append_c (line, (gchar)c);
  if (c == EOF && line->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&line), FALSE);
}

/* docker's --password-stdin: all of stdin, less one trailing newline */
static gchar *
read_password_stdin (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  gchar buf[4096];
  gsize n;

  while ((n = fread (buf, 1, sizeof buf, stdin)) > 0)
    g_string_append_len (text, buf, (gssize)n);
  memset (buf, 0, sizeof buf);
  if (text->len > 0 && text->str[text->len - 1] == '\n')
    g_string_truncate (text, text->len - 1);
  if (text->len > 0 && text->str[text->len - 1] == '\r')
    g_string_truncate (text, text->len - 1);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* asks on stdout, as docker does; a secret is not echoed */
static gchar *
prompt (const gchar *question, gboolean secret)
{
  struct termios saved, quiet;
  gboolean restore = FALSE;
  gchar *answer;

  /* echo goes off before the question shows, so that nothing typed after
   * it is echoed; TCSANOW keeps what was typed ahead */
  if (secret && tcgetattr (STDIN_FILENO, &saved) == 0)
    {
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t)ECHO;
      restore = tcsetattr (STDIN_FILENO, TCSANOW, &quiet) == 0;
    }
  g_print ("%s", question);
  fflush (stdout);
  answer = read_line ();
  if (restore)
    tcsetattr (STDIN_FILENO, TCSANOW, &saved);
  if (secret)
    g_print ("\n");
  return answer;
}

/* fills in what the flags left out, as docker's ConfigureAuth; FALSE
 * after saying what is missing */
static gboolean
ask_credentials (gchar **username, gchar **password)
{
  if (*password == NULL && !isatty (STDIN_FILENO))
    {
      g_printerr ("Error: Cannot perform an interactive login from a non TTY device\n");
      return FALSE;
    }
  if (*username == NULL)
    {
      gchar *typed = prompt ("Username: ", FALSE);
      *username = g_strstrip (typed != NULL ? typed : g_strdup (""));
      if (**username == '\0')
        {
          g_printerr ("Error: Non-null Username Required\n");
          return FALSE;
        }
    }
  if (*password == NULL)
    {
      *password = prompt ("Password: ", TRUE);
      if (*password == NULL || **password == '\0')
        {
          g_printerr ("Error: Password Required\n");
          return FALSE;
        }
    }
  return TRUE;
}

/* prints berthd's status line, or {"Status": …} with --json */
static gint
print_status (BerthCli *cli, GVariant *reply)
{
  const gchar *status;

  g_variant_get (reply, "(&s)", &status);
  if (cli->json)
    berth_cli_print_json (g_variant_new_parsed ("{'Status': <%s>}", status));
  else
    g_print ("%s\n", status);
  return BERTH_EXIT_OK;
}

/**
 * berth_cmd_login:
 *
 * `berth login [OPTIONS] [SERVER]`: berthd checks the credentials against
 * the registry and stores them for its pulls and pushes.
 */
gint
berth_cmd_login (BerthCli *cli, gint argc, gchar **argv)
{
  g_autofree gchar *username = NULL;
  g_autofree gchar *password = NULL;
  gboolean password_stdin = FALSE;
  const GOptionEntry entries[] = {
    { "username", 'u', 0, G_OPTION_ARG_STRING, &username, "Username", "string" },
    { "password", 'p', 0, G_OPTION_ARG_STRING, &password, "Password", "string" },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin, "Take the password from stdin",
      NULL },
    { NULL },
  };
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  gint exit_code;

  if (!berth_cli_parse (cli, "[OPTIONS] [SERVER]",
                        "Log in to a registry. berthd checks the credentials with the registry "
                        "and keeps them for the plugins it pulls and pushes.\n"
                        "If no server is specified, the default is Docker Hub.",
                        entries, 0, 1, &argc, &argv, &exit_code))
    return exit_code;
  if (password != NULL)
    {
      g_printerr ("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
      if (password_stdin)
        {
          g_printerr ("--password and --password-stdin are mutually exclusive\n");
          return BERTH_EXIT_ERROR;
        }
    }
  if (password_stdin)
    {
      if (username == NULL)
        {
          g_printerr ("Must provide --username with --password-stdin\n");
          return BERTH_EXIT_ERROR;
        }
      password = read_password_stdin ();
    }
  /* empty is missing, as for docker */
  if (username != NULL && *username == '\0')
    g_clear_pointer (&username, g_free);
  if (password != NULL && *password == '\0')
    g_clear_pointer (&password, g_free);
  if (!ask_credentials (&username, &password))
    {
      wipe (password);
      return BERTH_EXIT_ERROR;
    }
  reply = berth_cli_call (cli, BERTH_DBUS_PATH, BERTH_DBUS_INTERFACE, "Login",
                          g_variant_new ("(sss)", argc > 1 ? argv[1] : "", username, password),
                          G_VARIANT_TYPE ("(s)"), &error);
  wipe (password);
  if (reply == NULL)
    return berth_cli_fail (cli, error);
  return print_status (cli, reply);
}

/**
 * berth_cmd_logout:
 *
 * `berth logout [SERVER]`: berthd forgets the registry's credentials.
 */
gint
berth_cmd_logout (BerthCli *cli, gint argc, gchar **argv)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  gint exit_code;

  if (!berth_cli_parse (cli, "[SERVER]",
                        "Log out from a registry: berthd removes the credentials it keeps.\n"
                        "If no server is specified, the default is Docker Hub.",
                        NULL, 0, 1, &argc, &argv, &exit_code))
    return exit_code;
  reply = berth_cli_call (cli, BERTH_DBUS_PATH, BERTH_DBUS_INTERFACE, "Logout",
                          g_variant_new ("(s)", argc > 1 ? argv[1] : ""), G_VARIANT_TYPE ("(s)"),
                          &error);
  if (reply == NULL)
    return berth_cli_fail (cli, error);
  return print_status (cli, reply);
}
