/* commands.h - the hark subcommands.
 *
 * Each command lives in daemon/cmd_NAME.c as
 *     int cmd_NAME(int argc, char **argv);
 * argv[0] is the command name; options are parsed with GOptionContext.
 * The return value is the process exit status: HARK_EXIT_OK (0),
 * HARK_EXIT_USER (1, bad config or input) or HARK_EXIT_RUNTIME (2).
 * To add a command: write the file, declare it here, add a row to
 * the table in main.c, add the file to daemon/CMakeLists.txt.
 */
#ifndef HARK_COMMANDS_H
#define HARK_COMMANDS_H

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_feeds(int argc, char **argv);
int cmd_serve(int argc, char **argv);

int cmd_parse(int argc, char **argv);
int cmd_sentiment(int argc, char **argv);
int cmd_outbox(int argc, char **argv);
int cmd_hits(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_match(int argc, char **argv);
int cmd_import_opml(int argc, char **argv);
int cmd_export_opml(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_tail(int argc, char **argv);

#endif
