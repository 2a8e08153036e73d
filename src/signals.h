/* Signals turned into bytes on a self-pipe, for the poll() loop. */
#ifndef DBAKE_SIGNALS_H
#define DBAKE_SIGNALS_H

/* Catch SIGINT, SIGTERM, SIGHUP, SIGCHLD and SIGWINCH; ignore SIGPIPE. */
int signals_init(void);

/* The self-pipe's read end: readable after any caught signal. */
int signals_fd(void);

/*
 * Drain the self-pipe. Returns the first stop signal ever received
 * (SIGINT, SIGTERM, SIGHUP) or 0; *stops counts stop signals seen so far.
 */
int signals_drain(int *stops);

/* Whether the terminal was resized since the last call. */
int signals_resized(void);

/* The first stop signal received so far, or 0 (no draining needed). */
int signals_stop_signal(void);

/*
 * Connect to the docker CLI's plugin socket ($DOCKER_CLI_PLUGIN_SOCKET),
 * which the CLI closes when it is told to stop (SIGINT or SIGTERM without
 * a terminal). Returns the fd to poll (EOF means: stop), or -1.
 */
int plugin_socket_connect(void);

#endif
