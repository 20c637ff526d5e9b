// SPDX-License-Identifier: GPL-2.0
/*
 * libmicrohttpd glue for svmtrace export.
 *
 * We bind the listening socket ourselves so that a bad address or a port
 * in use gets a message naming them, then hand it to libmicrohttpd, which
 * serves every connection from one internal epoll thread.  Its limits keep
 * scrapes answered under abuse: a total and a per-address connection cap,
 * an idle timeout (slow or silent clients are dropped), and a per-connection
 * memory limit that bounds the request header (oversized ones are refused).
 * Only GET and HEAD of / and /metrics are served: 405 for other methods,
 * 404 for other paths.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "svmtrace_httpd.h"

/* Bounds the request line and headers a client may send. */
#define REQUEST_MEMORY_LIMIT (16 * 1024)

struct svmtrace_httpd {
	struct svmtrace_httpd_opts opts;
	struct MHD_Daemon *daemon;
	svmtrace_httpd_render_fn render;
	void *arg;
	int fd;
	bool ipv6;
	uint16_t port;
};

static const char index_page[] =
	"<html><head><title>svmtrace export</title></head><body>\n"
	"<h1>svmtrace export</h1>\n"
	"<p>GPU shared-virtual-memory migration metrics: <a href=\"/metrics\">/metrics</a></p>\n"
	"</body></html>\n";

static void free_body(void *body)
{
	free(body);
}

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned int status, const char *type,
			      char *body, size_t len, const char *allow)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	/* The response owns @body from here on. */
	resp = MHD_create_response_from_buffer_with_free_callback(len, body, free_body);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result answer_text(struct MHD_Connection *conn, unsigned int status,
				   const char *text, const char *allow)
{
	char *body = strdup(text);

	if (!body)
		return MHD_NO;
	return answer(conn, status, "text/plain; charset=utf-8", body, strlen(body), allow);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	struct svmtrace_httpd *h = cls;
	char *body = NULL;
	size_t len = 0;
	int err;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)req_cls;
	/* Answered on the first call, before any body: nothing here takes one. */
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return answer_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				   "405 method not allowed: only GET and HEAD\n", "GET, HEAD");
	if (!strcmp(url, "/"))
		return answer(conn, MHD_HTTP_OK, "text/html; charset=utf-8", strdup(index_page),
			      strlen(index_page), NULL);
	if (strcmp(url, "/metrics"))
		return answer_text(conn, MHD_HTTP_NOT_FOUND, "404 not found: try /metrics\n", NULL);
	err = h->render(h->arg, &body, &len);
	if (err) {
		char msg[160];

		free(body);
		snprintf(msg, sizeof(msg), "500 reading the BPF maps failed: %s\n", strerror(-err));
		return answer_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, msg, NULL);
	}
	return answer(conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", body, len, NULL);
}

/* @address as a socket address with @port; false if it is not numeric IPv4/IPv6. */
static bool parse_address(const char *address, uint16_t port, struct sockaddr_storage *ss,
			  socklen_t *sslen)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	char addr[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(address);

	memset(ss, 0, sizeof(*ss));
	if (n >= sizeof(addr))
		return false;
	/* "[::1]" as in URLs, or plain "::1". */
	if (n >= 2 && address[0] == '[' && address[n - 1] == ']') {
		memcpy(addr, address + 1, n - 2);
		addr[n - 2] = '\0';
	} else {
		memcpy(addr, address, n + 1);
	}
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*sslen = sizeof(*sin);
		return true;
	}
	if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*sslen = sizeof(*sin6);
		return true;
	}
	return false;
}

bool svmtrace_httpd_address_valid(const char *address)
{
	struct sockaddr_storage ss;
	socklen_t len;

	return parse_address(address, 0, &ss, &len);
}

/* A listening socket on @address:@port; -1 after saying why. */
static int listen_on(const char *address, uint16_t port, bool *ipv6, uint16_t *bound_port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t sslen;
	int fd, one = 1;

	if (!parse_address(address, port, &ss, &sslen)) {
		fprintf(stderr, "svmtrace export: invalid address '%s': want a numeric IPv4 or "
			"IPv6 address (127.0.0.1, 0.0.0.0, ::1, [::])\n", address);
		return -1;
	}
	*ipv6 = ss.ss_family == AF_INET6;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "svmtrace export: socket: %s\n", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (*ipv6)	/* "::" means IPv6 and IPv4 both, whatever the sysctl says */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &(int){ 0 }, sizeof(int));
	if (bind(fd, (struct sockaddr *)&ss, sslen) || listen(fd, 64)) {
		fprintf(stderr, "svmtrace export: cannot listen on %s port %u: %s\n", address, port,
			strerror(errno));
		close(fd);
		return -1;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == 0)
		*bound_port = ntohs(ss.ss_family == AF_INET ? sin->sin_port : sin6->sin6_port);
	return fd;
}

struct svmtrace_httpd *svmtrace_httpd_listen(const struct svmtrace_httpd_opts *o)
{
	struct svmtrace_httpd *h = calloc(1, sizeof(*h));

	if (!h) {
		fprintf(stderr, "svmtrace export: out of memory\n");
		return NULL;
	}
	h->opts = *o;
	h->fd = listen_on(o->address, o->port, &h->ipv6, &h->port);
	if (h->fd < 0) {
		free(h);
		return NULL;
	}
	return h;
}

bool svmtrace_httpd_serve(struct svmtrace_httpd *h, svmtrace_httpd_render_fn render, void *arg)
{
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;

	h->render = render;
	h->arg = arg;
	if (h->ipv6)
		flags |= MHD_USE_IPv6;
	h->daemon = MHD_start_daemon(flags, h->port, NULL, NULL, on_request, h,
				     MHD_OPTION_LISTEN_SOCKET, (MHD_socket)h->fd,
				     MHD_OPTION_CONNECTION_LIMIT, h->opts.connection_limit,
				     MHD_OPTION_PER_IP_CONNECTION_LIMIT, h->opts.per_ip_limit,
				     MHD_OPTION_CONNECTION_TIMEOUT, h->opts.timeout_s,
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)REQUEST_MEMORY_LIMIT,
				     MHD_OPTION_END);
	if (!h->daemon) {
		fprintf(stderr, "svmtrace export: libmicrohttpd could not start its server on %s port %u\n",
			h->opts.address, h->port);
		return false;
	}
	return true;
}

uint16_t svmtrace_httpd_port(const struct svmtrace_httpd *h)
{
	return h->port;
}

void svmtrace_httpd_stop(struct svmtrace_httpd *h)
{
	if (!h)
		return;
	if (h->daemon)
		MHD_stop_daemon(h->daemon);	/* closes the listening socket too */
	else
		close(h->fd);
	free(h);
}
