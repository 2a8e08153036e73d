/* docker-dbake(1), made from the option table (make deb). */
#include "cli.h"
#include "version.h"

#include <getopt.h>
#include <stdio.h>

/* roff: backslashes doubled, a leading dot or quote escaped */
static void roff_text(FILE *f, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else
			fputc(*s, f);
	}
}

void cli_print_man(FILE *f)
{
	fprintf(f, ".TH DOCKER-DBAKE 1 \"\" \"dbake %s\" \"Docker CLI plugins\"\n",
		dbake_version);
	fputs(".SH NAME\ndocker\\-dbake \\- build bake targets spread over every "
	      "node of a multi\\-node buildx builder\n"
	      ".SH SYNOPSIS\n.B docker dbake\n[\\fIOPTIONS\\fR] [\\fITARGET\\fR...]\n"
	      ".br\n.B docker dbake prune\n[\\fB\\-f\\fR]\n"
	      ".SH DESCRIPTION\n"
	      "Builds the targets of a bake file (HCL, JSON or compose) across all "
	      "the BuildKit nodes of a multi\\-node buildx builder, as "
	      "\\fBdocker buildx bake\\fR builds them on one: each node gets a "
	      "single\\-node shard builder of its own, and targets are dispatched "
	      "over the nodes by platform, dependencies and the nodes' speed.\n"
	      "Targets may be target names, group names or quoted patterns, as in "
	      "bake.\n.SH OPTIONS\n", f);
	for (size_t i = 0; i < option_table_nr; i++) {
		const struct option_doc *d = &option_table[i];
		if (!d->help)
			continue;
		fputs(".TP\n", f);
		if (d->shortopt)
			fprintf(f, "\\fB\\-%c\\fR, ", d->shortopt);
		fputs("\\fB\\-\\-", f);
		roff_text(f, d->opt.name);
		fputs("\\fR", f);
		if (d->arg) {
			fputs(" \\fI", f);
			roff_text(f, d->arg);
			fputs("\\fR", f);
		}
		fputc('\n', f);
		roff_text(f, d->help);
		fputc('\n', f);
	}
	fputs(".SH COMMANDS\n.TP\n\\fBprune\\fR [\\fB\\-f\\fR]\n"
	      "Remove dbake's shards, history and run directories (asks first "
	      "unless \\fB\\-f\\fR).\n"
	      ".SH EXIT STATUS\n0 all built; 1 a build failed or was skipped; "
	      "2 usage or input error; 130 interrupted.\n"
	      ".SH FILES\n.TP\n\\fI$XDG_STATE_HOME/dbake\\fR\n"
	      "Shard builders and history (\\fB$DBAKE_STATE_DIR\\fR overrides).\n"
	      ".TP\n\\fI$TMPDIR/dbake\\-UID/run\\-*\\fR\n"
	      "One directory per run: a log per target, report.json and "
	      "report.html.\n"
	      ".SH ENVIRONMENT\n.TP\n\\fBOTEL_TRACES_SAMPLER\\fR\n"
	      "Child bakes get \\fBalways_off\\fR (BuildKit would write each "
	      "bake's whole trace into the record of each of its builds) unless "
	      "it, \\fBOTEL_TRACES_EXPORTER\\fR or an OTLP endpoint is set.\n"
	      ".TP\n\\fBDBAKE_LOCK_TIMEOUT\\fR\n"
	      "Seconds to wait for another run setting up shards (120).\n"
	      ".SH SEE ALSO\n\\fBdocker\\-buildx\\-bake\\fR(1)\n", f);
}
