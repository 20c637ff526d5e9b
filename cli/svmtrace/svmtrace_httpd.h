/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The HTTP side of svmtrace export: /metrics (and a small index page) over
 * libmicrohttpd, bounded so that malformed or slow clients cannot hold up
 * scrapes.
 */
#ifndef SVMTRACE_HTTPD_H
#define SVMTRACE_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Renders the exposition into a malloc'ed buffer *@body of *@len bytes
 * (the server frees it); 0, or a negative errno for a 500 answer.  Called
 * from the server's thread, one request at a time.
 */
typedef int (*svmtrace_httpd_render_fn)(void *arg, char **body, size_t *len);

/**
 * struct svmtrace_httpd_opts - where and how to listen
 * @address: numeric IPv4 or IPv6 address (IPv6 may come in brackets)
 * @port: TCP port (0: any free port)
 * @connection_limit: connections served at once, all clients together
 * @per_ip_limit: connections at once from one client address
 * @timeout_s: an idle connection is closed after this many seconds
 */
struct svmtrace_httpd_opts {
	const char *address;
	uint16_t port;
	unsigned int connection_limit;
	unsigned int per_ip_limit;
	unsigned int timeout_s;
};

struct svmtrace_httpd;

/* A numeric IPv4 or IPv6 address (IPv6 may come in brackets)? */
bool svmtrace_httpd_address_valid(const char *address);

/*
 * Bind and listen (before anything slow is loaded, so a bad address or a
 * port in use fails at once); NULL after saying why on stderr.
 */
struct svmtrace_httpd *svmtrace_httpd_listen(const struct svmtrace_httpd_opts *o);
/* Serve from a thread of libmicrohttpd's; false after saying why. */
bool svmtrace_httpd_serve(struct svmtrace_httpd *h, svmtrace_httpd_render_fn render, void *arg);
/* The port actually bound (useful with port 0). */
uint16_t svmtrace_httpd_port(const struct svmtrace_httpd *h);
void svmtrace_httpd_stop(struct svmtrace_httpd *h);

#endif /* SVMTRACE_HTTPD_H */
