/*
 * docker dbake: build bake targets spread over every node of a
 * multi-node buildx builder.
 */
#include "buildx/docker.h"
#include "buildx/nodes.h"
#include "buildx/kube.h"
#include "buildx/shards.h"
#include "cli.h"
#include "complete.h"
#include "signals.h"
#include "plan/bakefile.h"
#include "plan/resolve.h"
#include "proc.h"
#include "prune.h"
#include "version_cmd.h"
#include "run/dispatch.h"
#include "run/merge.h"
#include "run/split.h"
#include "sched/dag.h"
#include "sched/history.h"
#include "ui/report.h"
#include "ui/ui.h"
#include "util/util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Exit codes, as documented in --help and README.md. */
enum {
	EXIT_BUILT = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
};

static int stop_requested(void)
{
	return signals_stop_signal() != 0;
}

/* Exit now if a stop signal came during setup: nothing was started. */
static void exit_if_stopped(void)
{
	int sig = signals_stop_signal();
	if (sig)
		die(128 + sig, "%s before any build started",
		    sig == SIGINT ? "interrupted" : "terminated");
}

/* History is per project: this directory and the files named. */
static char *project_key(const struct options *opts)
{
	char cwd[4096];
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, getcwd(cwd, sizeof(cwd)) ? cwd : ".");
	for (size_t i = 0; i < opts->files.nr; i++)
		strbuf_addf(&sb, "\n%s", opts->files.v[i]);
	if (options_remote(opts))
		strbuf_addf(&sb, "\n%s", options_remote(opts));
	return strbuf_detach(&sb);
}

static void load_history(struct history *h, const struct options *opts)
{
	char *dir = dbake_state_dir();
	char *path = xstrfmt("%s/history.json", dir);
	char *key = project_key(opts);
	mkdir_p(dir, 0700);
	history_load(h, path, key);
	free(key);
	free(path);
	free(dir);
}

#define DASHBOARD (&ui_tty)

/* The dashboard on a terminal that can show it, else plain lines. */
static const struct ui_ops *pick_ui(const struct options *opts)
{
	const char *term = getenv("TERM");
	int capable = isatty(STDOUT_FILENO) && isatty(STDIN_FILENO) && term &&
		      *term && strcmp(term, "dumb");
	switch (opts->progress) {
	case PROGRESS_QUIET:
		set_quiet(1);
		return &ui_quiet;
	case PROGRESS_PLAIN:
	case PROGRESS_RAWJSON: /* the children's JSON on stderr, dbake's
				  lines on stdout */
		return &ui_plain;
	case PROGRESS_TTY:
		if (!capable)
			warning("--progress tty needs a terminal; printing lines");
		return capable ? DASHBOARD : &ui_plain;
	case PROGRESS_AUTO:
		break;
	}
	return capable ? DASHBOARD : &ui_plain;
}

static const struct ui_ops *active_ui;

static void kill_children(void)
{
	if (active_ui && active_ui->emergency)
		active_ui->emergency();
	proc_kill_all(SIGKILL);
}

/* A file dbake writes when the run ends: say now, not after building
 * everything, that it cannot be. */
static int check_output_file(const char *flag, const char *path)
{
	struct stat st;
	if (!*path)
		return error("%s: an empty path", flag);
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return error("%s %s: is a directory", flag, path);
		if (access(path, W_OK) < 0)
			return error("%s %s: %s", flag, path, strerror(errno));
		return 0;
	}
	char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path))
			  : xstrdup(".");
	int ret = 0;
	if (stat(dir, &st) < 0)
		ret = error("%s %s: %s: %s", flag, path, dir, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		ret = error("%s %s: %s is not a directory", flag, path, dir);
	else if (access(dir, W_OK) < 0)
		ret = error("%s %s: %s: %s", flag, path, dir, strerror(errno));
	free(dir);
	return ret;
}

/* --metadata-file and --report, before anything is built. The report
 * directory is made now, private as the logs are (an existing one keeps
 * its mode). */
static int check_outputs(const struct options *opts)
{
	if (opts->plan)
		return 0;
	if (opts->metadata_file &&
	    check_output_file("--metadata-file", opts->metadata_file) < 0)
		return -1;
	if (!opts->report_dir)
		return 0;
	if (mkdir_p(opts->report_dir, 0700) < 0)
		return -1;
	if (access(opts->report_dir, W_OK) < 0)
		return error("--report %s: %s", opts->report_dir, strerror(errno));
	return 0;
}

/* Start the nodes that are not running, as bake would (it boots the
 * builder first), then read the builder again; --no-bootstrap leaves
 * them out. */
static int bootstrap(struct discovery *disc, struct nodeset *nodes,
		     const struct options *opts)
{
	size_t stopped = nodes_stopped(nodes);
	if (!stopped || opts->no_bootstrap)
		return 0;
	info("starting %zu node%s of builder '%s'", stopped,
	     stopped == 1 ? "" : "s", nodes->builder);
	char *builder = xstrdup(nodes->builder);
	nodeset_release(nodes);
	disc->bootstrap = 1;
	int ret = nodes_discover_start(disc, builder, &opts->docker_globals);
	if (ret == 0)
		ret = nodes_discover_finish(disc, nodes);
	free(builder);
	return ret;
}

/* Emulation is the user's to know of: a build then takes many times
 * longer, and only a node with the platforms' hardware would not. */
static void say_emulated(const struct dag *dag)
{
	for (size_t i = 0; i < dag->nr; i++) {
		const struct job *j = &dag->jobs[i];
		if (!j->emulated)
			continue;
		struct strbuf sb = STRBUF_INIT;
		for (size_t k = 0; k < j->platforms->nr; k++)
			strbuf_addf(&sb, "%s%s", k ? ", " : "",
				    j->platforms->v[k]);
		info("%s: no node builds %s natively%s; built by emulation",
		     j->name, sb.buf, j->platforms->nr > 1 ? " together" : "");
		strbuf_release(&sb);
	}
}

/* Bake's own answer (--print, --list, --call, --check): it runs
 * instead of dbake, with the bake flags as given. */
static int exec_bake(const struct options *opts)
{
	struct strvec argv = STRVEC_INIT, env = STRVEC_INIT;
	/* through docker, as the user would: what bake prints, and where,
	 * is then bake's to the byte (a deprecation notice on stdout too) */
	setenv("DBAKE_VIA_DOCKER", "1", 1);
	buildx_argv(&argv, &env, &opts->docker_globals);
	unsetenv("DBAKE_VIA_DOCKER");
	strvec_push(&argv, "bake");
	strvec_pushv(&argv, opts->bake_args.v);
	strvec_push(&argv, "--");
	strvec_pushv(&argv, opts->targets.v);
	proc_exec(argv.v, &env);
	strvec_clear(&argv);
	strvec_clear(&env);
	return EXIT_USAGE;
}

/* The largest definition read from stdin (-f -). */
#define STDIN_DEFINITION_MAX (16 << 20)

/*
 * "-f -": stdin, read once into the run directory, is the file every
 * later reader (bake --print, dbake's own look at compose files) sees.
 */
static int take_stdin_file(struct options *opts, struct logdir *logs)
{
	int at = -1;
	for (size_t i = 0; i < opts->files.nr; i++)
		if (!strcmp(opts->files.v[i], "-")) {
			if (at >= 0)
				return error("-f - given twice: stdin is read once");
			at = (int)i;
		}
	if (at < 0)
		return 0;
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	ssize_t n;
	while ((n = read(0, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || sb.len + (size_t)n > STDIN_DEFINITION_MAX) {
			strbuf_release(&sb);
			return error(n < 0 ? "cannot read the definition on stdin"
				     : "the definition on stdin is over 16 MiB");
		}
		strbuf_add(&sb, buf, (size_t)n);
	}
	if (logdir_create(logs) < 0) {
		strbuf_release(&sb);
		return -1;
	}
	char *path = xstrfmt("%s/stdin-definition", logs->path);
	int ret = write_file_atomic(path, sb.buf, sb.len, 0600);
	if (ret < 0)
		error("cannot write %s: %s", path, strerror(errno));
	free(opts->files.v[at]);
	opts->files.v[at] = path;
	strbuf_release(&sb);
	return ret;
}

int main(int argc, char **argv)
{
	struct options opts = OPTIONS_INIT;
	struct plan plan = PLAN_INIT;
	struct nodeset nodes = NODESET_INIT;
	struct shard_store store = SHARD_STORE_INIT;
	struct history history = HISTORY_INIT;
	struct run run = { .opts = &opts, .nodes = &nodes, .cli_fd = -1 };
	int code;

	/* the merge job of a split target (split.c starts it) */
	if (argc == 3 && !strcmp(argv[1], MERGE_COMMAND))
		return merge_main(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "__man")) {
		cli_print_man(stdout);
		return 0;
	}
	/* the Docker CLI asks the plugin to complete a word */
	if (argc >= 2 && !strcmp(argv[1], COMPLETE_COMMAND))
		return complete_main(argc, argv);
	switch (cli_parse(&opts, argc, argv)) {
	case CLI_EXIT_OK:
		options_release(&opts);
		return 0;
	case CLI_USAGE:
		options_release(&opts);
		return EXIT_USAGE;
	case CLI_RUN:
		break;
	}
	if (opts.version) {
		code = version_main(&opts);
		options_release(&opts);
		return code;
	}
	if (opts.prune) {
		code = prune_main(&opts);
		options_release(&opts);
		return code;
	}
	if (opts.print || opts.bake_answers) {
		code = exec_bake(&opts);
		options_release(&opts);
		return code;
	}
	if (check_outputs(&opts) < 0 || take_stdin_file(&opts, &run.logs) < 0) {
		options_release(&opts);
		logdir_release(&run.logs);
		return EXIT_USAGE;
	}
	if (dbake_state_dir_check() < 0) {
		options_release(&opts);
		logdir_release(&run.logs);
		return EXIT_USAGE;
	}
	if (signals_init() < 0)
		return EXIT_USAGE;
	proc_should_stop = stop_requested;
	proc_stop_fd = signals_fd();
	set_die_hook(kill_children);
	run.cli_fd = plugin_socket_connect();
	run.ui = active_ui = pick_ui(&opts);

	struct discovery disc = { .child = CHILD_INIT };
	if (nodes_discover_start(&disc, opts.builder, &opts.docker_globals) < 0) {
		code = EXIT_USAGE;
		goto out;
	}
	if (resolve_selection(&plan, &opts) < 0) {
		nodes_discover_abort(&disc);
		exit_if_stopped();
		code = EXIT_USAGE;
		goto out;
	}
	exit_if_stopped();
	if (nodes_discover_finish(&disc, &nodes) < 0 ||
	    bootstrap(&disc, &nodes, &opts) < 0) {
		exit_if_stopped();
		code = EXIT_USAGE;
		goto out;
	}
	/* kubectl, here and in the children, reads what buildx reads */
	if (nodes.kubeconfig)
		setenv("KUBECONFIG", nodes.kubeconfig, 1);
	if (kube_expand(&nodes) < 0) {
		exit_if_stopped();
		code = EXIT_USAGE;
		goto out;
	}
	if (nodes_filter_usable(&nodes) && kube_pods(&nodes)) {
		/* each pod's own platforms, from its BuildKit, via its shard */
		if (shards_ensure(&store, &nodes, &opts.docker_globals) < 0) {
			exit_if_stopped();
			code = EXIT_FAILED;
			goto out;
		}
		kube_probe(&nodes, &store.env, &opts.docker_globals);
		exit_if_stopped();
	}
	if (!nodes_filter_usable(&nodes)) {
		error("builder '%s' has no running node dbake can use",
		      nodes.builder);
		code = EXIT_USAGE;
		goto out;
	}
	plan_default_platform(&plan, nodes_default_platform(&nodes));
	run.plan = &plan;
	split_mark(&plan, &opts);
	run_build_dag(&run, &plan);
	struct node_offer *offers = xcalloc(nodes.nr, sizeof(*offers));
	for (size_t n = 0; n < nodes.nr; n++)
		offers[n] = (struct node_offer){ nodes.v[n].name,
						 &nodes.v[n].native,
						 &nodes.v[n].platforms };
	int bad = dag_prepare(&run.dag, offers, nodes.nr);
	free(offers);
	if (bad < 0) {
		code = EXIT_USAGE;
		goto out;
	}
	say_emulated(&run.dag);
	if (opts.plan) {
		ui_print_plan(run_view(&run));
		code = EXIT_BUILT;
		goto out;
	}
	exit_if_stopped();
	if (shards_ensure(&store, &nodes, &opts.docker_globals) < 0) {
		exit_if_stopped();
		code = EXIT_FAILED;
		goto out;
	}
	run.shard_env = &store.env;
	/* nothing for buildx's git info to find: save it a git per target */
	if (!getenv("BUILDX_GIT_INFO") && !getenv("BUILDX_GIT_LABELS") &&
	    !plan_in_git(&plan))
		strvec_push(&store.env, "BUILDX_GIT_INFO=0");
	/* a bake's trace, written into each of its builds' records, grows
	 * as the square of its targets: none unless the user asks */
	const char *trace = buildx_trace_setting();
	if (trace)
		strvec_push(&store.env, trace);
	if (!run.logs.path && logdir_create(&run.logs) < 0) {
		code = EXIT_FAILED;
		goto out;
	}
	run.plan = &plan;
	run.report_dir = xstrdup(opts.report_dir ? opts.report_dir
						  : run.logs.path);
	load_history(&history, &opts);
	run.history = &history;
	dispatch_prepare(&run);
	code = dispatch_run(&run);
	history_save(&history, (long long)time(NULL));
	/* the report, before the summary that points at it */
	if (report_write(run_view(&run), run.report_dir) < 0) {
		free(run.report_dir);
		run.report_dir = NULL;
	}
	if (opts.metadata_file)
		metadata_merge(run_view(&run), opts.metadata_file);
	run.ui->end(run_view(&run));
	logdir_prune(&run.logs, LOGDIR_KEEP, LOGDIR_QUIET_S, (long long)time(NULL));
out:
	run_release(&run);
	history_release(&history);
	if (run.cli_fd >= 0)
		close(run.cli_fd);
	shard_store_release(&store);
	nodeset_release(&nodes);
	plan_release(&plan);
	options_release(&opts);
	return code;
}
