/* ofsearchd's HTTP server (server.c): libmicrohttpd's thread and the search workers, from
 * binding the port to draining. main.c starts and stops it; everything else it calls. */
#ifndef OFSD_SERVER_H
#define OFSD_SERVER_H

#include "config.h"
#include "served.h"

typedef struct ofsd_server ofsd_server;

/* Binds, starts the search workers and libmicrohttpd's thread, serving served (cfg and served
 * outlive the server). 0 and *out, or -1 with a message on stderr. */
int ofsd_server_start(const ofsd_config *cfg, ofsd_served *served, ofsd_server **out);
/* The port it listens on (the one the system chose for port 0). */
int ofsd_server_port(const ofsd_server *srv);
/* Stops accepting, waits up to drain_ms for requests in flight, ends the threads, frees srv. */
void ofsd_server_stop(ofsd_server *srv, int drain_ms);

#endif
