/* main.c - the hark binary: dispatch to a subcommand. */
#include "commands.h"
#include "hark/error.h"
#include "hark/log.h"
#include "hark/version.h"

#include <glib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
	{"run", cmd_run, "poll feeds, match rules, send alerts (-c FILE, --once)"},
	{"check", cmd_check, "validate the config and rules (-c FILE)"},
	{"feeds", cmd_feeds, "show every feed's polling state (-c FILE, --json)"},
	{"serve", cmd_serve, "serve the web page: stream, charts, feeds (--listen)"},
	{"parse", cmd_parse, "print a feed's items as JSON Lines"},
	{"match", cmd_match, "dry-run the rules over a feed"},
	{"sentiment", cmd_sentiment, "score text (argument or stdin lines) from -1 to 1"},
	{"outbox", cmd_outbox, "list pending and dead deliveries; retry ID|--all"},
	{"hits", cmd_hits, "past alerts: --rule, --since 7d, --search QUERY, --json|--csv"},
	{"stats", cmd_stats, "hits per rule per day with sentiment (--days 30, --svg FILE)"},
	{"import-opml", cmd_import_opml, "add the feeds of an OPML file to the config"},
	{"export-opml", cmd_export_opml, "print the configured feeds as OPML"},
	{"status", cmd_status, "is the daemon running; failing feeds, pending deliveries"},
	{"tail", cmd_tail, "follow new hits as they are stored (--rule R, --json)"},
	{"help", cmd_help, "show this list"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: hark COMMAND [OPTIONS]\n"
		     "       hark --version\n\ncommands:\n");
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nRun 'hark COMMAND --help' for a command's options.\n"
		     "Exit status: 0 ok, 1 bad config or input, 2 runtime failure.\n");
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return HARK_EXIT_OK;
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	if (argc < 2) {
		usage(stderr);
		return HARK_EXIT_USER;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("hark %s\n", HARK_VERSION);
		return HARK_EXIT_OK;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(argc - 1, argv + 1);
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "hark: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return HARK_EXIT_USER;
}
