/* The nodes of the user's builder, from its store entry and inspect. */
#ifndef DBAKE_NODES_H
#define DBAKE_NODES_H

#include "../proc.h"
#include "../util/strbuf.h"

struct node {
	char *name;                /* node name in the user's builder */
	char *endpoint;            /* tcp://, unix://, docker-container://... */
	char *status;              /* as inspect says: running, inactive... */
	char *error;               /* inspect's Error line, or NULL */
	struct strvec platforms;   /* normalised, what it advertises, its own
				      first (the pinned ones only, if any) */
	struct strvec native;      /* of those, what it builds without
				      emulation (set by nodes_filter_usable) */
	struct strvec pinned;      /* platforms pinned at create time */
	struct strvec driver_opts; /* "key=value", carried to its shard */
	struct strvec flags;       /* buildkitd flags of the store entry */
	char *shard;               /* shard builder name, once made */
	char *docker_host;         /* a docker-container node's docker host
				      URL, reached through a context of
				      dbake's own (contexts.h), or NULL */
	char *kube_ns;             /* a kubernetes node's namespace option */
	int pod;                   /* a pod of a kubernetes node (kube.h) */
	char *history_key;         /* what it shares with other nodes in
				      history (capacity, speed), or NULL:
				      its endpoint */
};

struct nodeset {
	char *builder;  /* the user's builder name */
	char *driver;   /* its driver */
	char *error;    /* inspect's builder-level Error line, or NULL */
	char *kubeconfig; /* a kubernetes builder's kubeconfig, as buildx
			     keeps it in the node's endpoint, or NULL */
	char *default_platform; /* buildx's own, when its first node is no
				   longer v[0] (kube_expand), or NULL */
	struct node *v;
	size_t nr, alloc;
};

#define NODESET_INIT { 0 }

/*
 * Read `docker buildx inspect NAME` output. Fills builder, driver and one
 * node per block under "Nodes:" (name, endpoint, status, platforms).
 */
int nodes_parse_inspect(struct nodeset *set, const char *text);

/*
 * Merge a store entry (instances/NAME JSON): driver options, pinned
 * platforms and endpoints of the nodes inspect listed.
 */
int nodes_merge_store(struct nodeset *set, const char *json);

/*
 * Keep only nodes dbake can reach through a remote shard: running, with a
 * supported endpoint and at least one platform. Prints one line for each
 * node left out and why. Returns the number kept.
 */
size_t nodes_filter_usable(struct nodeset *set);

/*
 * The platform a build that names none gets on this builder: buildx
 * sends it to the first node, and BuildKit builds for that worker's
 * default, its first platform (the first unpinned one when some are
 * pinned: buildx lists those first). NULL when there is no node.
 */
const char *nodes_default_platform(const struct nodeset *set);

/*
 * Make every node reachable as a remote shard would reach it. A
 * docker-container node is the BuildKit in its container,
 * docker-container://buildx_buildkit_NODE, through the node's docker
 * context (?context=NAME); a docker host URL endpoint is reached as is
 * when it is the docker host the run already talks to (docker_host: what
 * DOCKER_HOST says, else NULL), and otherwise through a context of
 * dbake's own (node->docker_host set; docker_contexts_ensure makes it).
 * Only the driver options a remote builder knows are kept. Nodes of the
 * remote driver are unchanged. A kubernetes node is listed once (inspect
 * repeats it per replica) and keeps its namespace for kube_expand. Fails
 * for a driver dbake cannot use.
 */
int nodes_adopt_driver(struct nodeset *set, const char *docker_host);

/* How many nodes are not running on a builder whose nodes dbake could
 * start (docker-container, kubernetes). */
size_t nodes_stopped(const struct nodeset *set);

/* For the driver modules: a new empty node at the end of set; a node
 * moved to the end of set (set owns it now); a node's memory freed. */
struct node *node_append(struct nodeset *set);
void node_move(struct nodeset *set, struct node *n);
void node_release(struct node *n);

/* Derive node->native from its platforms (done by nodes_filter_usable). */
void node_set_native(struct node *n);

/*
 * Find the user's builder (`builder`, else $BUILDX_BUILDER, else the
 * current one): start `docker buildx inspect` now, so it runs while the
 * bake file is resolved, then read it and the builder's store entry.
 */
struct discovery {
	struct child child;
	char *builder;
	const struct strvec *globals;
	int bootstrap; /* start the builder's nodes (inspect --bootstrap) */
};
/* A platform of the buildx store ({"os", "architecture", "variant"}) as
 * a normalized "os/arch[/variant]" string, or NULL. */
struct json_t;
char *nodes_store_platform(struct json_t *p);

/* How long discovery waits for a node's answer (buildx inspect
 * --timeout; buildx's own default is 20 s). */
#define DISCOVERY_TIMEOUT_S 8

int nodes_discover_start(struct discovery *d, const char *builder,
			 const struct strvec *docker_globals);
int nodes_discover_finish(struct discovery *d, struct nodeset *set);
/* Stop a started discovery that will not be finished. */
void nodes_discover_abort(struct discovery *d);

void nodeset_release(struct nodeset *set);

#endif
