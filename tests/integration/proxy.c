/* purple-msnp tests — a tiny HTTP CONNECT proxy on loopback. */
#include "integration/proxy.h"

#include <stdio.h>
#include <string.h>

#include <gio/gio.h>

struct _MsnpProxy {
	GSocketService *service;
	int port;
	GPtrArray *targets;
	GCancellable *cancel;
};

typedef struct {
	MsnpProxy *proxy;
	GSocketConnection *client;
	GString *head;
	guint8 buf[1024];
} Tunnel;

static void
tunnel_free(Tunnel *t)
{
	g_object_unref(t->client);
	g_string_free(t->head, TRUE);
	g_free(t);
}

static void
splice_done(GObject *source, GAsyncResult *res, gpointer data)
{
	g_io_stream_splice_finish(res, NULL);
	g_object_unref(data);   /* the upstream connection */
}

static void
reply(Tunnel *t, const char *text)
{
	g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(t->client)),
	                          text, strlen(text), NULL, NULL, NULL);
}

static void
upstream_cb(GObject *source, GAsyncResult *res, gpointer data)
{
	Tunnel *t = data;
	GSocketConnection *up = g_socket_client_connect_to_host_finish(G_SOCKET_CLIENT(source), res, NULL);

	g_object_unref(source);
	if (up == NULL) {
		reply(t, "HTTP/1.1 502 Bad Gateway\r\n\r\n");
		tunnel_free(t);
		return;
	}
	reply(t, "HTTP/1.1 200 Connection established\r\n\r\n");
	g_io_stream_splice_async(G_IO_STREAM(t->client), G_IO_STREAM(up),
	                         G_IO_STREAM_SPLICE_CLOSE_STREAM1 | G_IO_STREAM_SPLICE_CLOSE_STREAM2,
	                         G_PRIORITY_DEFAULT, t->proxy->cancel, splice_done, up);
	tunnel_free(t);
}

static void read_head(Tunnel *t);

static void
head_cb(GObject *source, GAsyncResult *res, gpointer data)
{
	Tunnel *t = data;
	gssize n = g_input_stream_read_finish(G_INPUT_STREAM(source), res, NULL);
	char host[256];
	int port;

	if (n <= 0 || t->head->len > 8192) {
		tunnel_free(t);
		return;
	}
	/* Byte by byte, so nothing past the request head is consumed. */
	g_string_append_len(t->head, (const char *)t->buf, n);
	if (!g_str_has_suffix(t->head->str, "\r\n\r\n")) {
		read_head(t);
		return;
	}
	if (sscanf(t->head->str, "CONNECT %255[^:]:%d ", host, &port) != 2 ||
	    (strcmp(host, "127.0.0.1") != 0 && strcmp(host, "localhost") != 0)) {
		reply(t, "HTTP/1.1 403 Forbidden\r\n\r\n");
		tunnel_free(t);
		return;
	}
	g_ptr_array_add(t->proxy->targets, g_strdup_printf("%s:%d", host, port));
	g_socket_client_connect_to_host_async(g_socket_client_new(), host, (guint16)port,
	                                      t->proxy->cancel, upstream_cb, t);
}

static void
read_head(Tunnel *t)
{
	g_input_stream_read_async(g_io_stream_get_input_stream(G_IO_STREAM(t->client)), t->buf, 1,
	                          G_PRIORITY_DEFAULT, t->proxy->cancel, head_cb, t);
}

static gboolean
incoming_cb(GSocketService *service, GSocketConnection *conn, GObject *source, gpointer data)
{
	Tunnel *t = g_new0(Tunnel, 1);

	t->proxy = data;
	t->client = g_object_ref(conn);
	t->head = g_string_new(NULL);
	read_head(t);
	return TRUE;
}

MsnpProxy *
msnp_proxy_start(void)
{
	MsnpProxy *proxy = g_new0(MsnpProxy, 1);
	GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	GSocketAddress *addr = g_inet_socket_address_new(lo, 0);
	GSocketAddress *bound = NULL;
	GError *error = NULL;

	proxy->service = g_socket_service_new();
	proxy->targets = g_ptr_array_new_with_free_func(g_free);
	proxy->cancel = g_cancellable_new();
	if (!g_socket_listener_add_address(G_SOCKET_LISTENER(proxy->service), addr,
	                                   G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
	                                   &bound, &error))
		g_error("proxy: %s", error->message);
	proxy->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
	g_signal_connect(proxy->service, "incoming", G_CALLBACK(incoming_cb), proxy);
	g_socket_service_start(proxy->service);
	g_object_unref(bound);
	g_object_unref(addr);
	g_object_unref(lo);
	return proxy;
}

int
msnp_proxy_port(MsnpProxy *proxy)
{
	return proxy->port;
}

const GPtrArray *
msnp_proxy_targets(MsnpProxy *proxy)
{
	return proxy->targets;
}

void
msnp_proxy_stop(MsnpProxy *proxy)
{
	g_cancellable_cancel(proxy->cancel);
	g_socket_service_stop(proxy->service);
	g_socket_listener_close(G_SOCKET_LISTENER(proxy->service));
	g_object_unref(proxy->service);
	g_object_unref(proxy->cancel);
	g_ptr_array_free(proxy->targets, TRUE);
	g_free(proxy);
}
