/* saliencypublish: an MQTT client that never blocks its caller
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Three threads meet here:
 *
 * - the streaming thread only appends to a bounded queue (a mutex held for
 *   a few pointer moves); when the queue is full the oldest message is
 *   dropped and counted, so a broker that is slow or away never holds a
 *   frame back;
 * - a sender thread takes messages from the queue while the client is
 *   connected and fewer than MAX_INFLIGHT are on their way, and hands them
 *   to libmosquitto;
 * - a network thread runs libmosquitto's loop (mosquitto_loop: reads,
 *   writes, keep-alive) and reconnects when the broker goes, after 0.5 s,
 *   then twice as long at each failure up to 30 s, from 0.5 s again once
 *   connected. (Not mosquitto_loop_start: its back-off grows with the
 *   square of the attempts and is not reset by a success, so a broker
 *   away for one second cost five seconds of results.)
 *
 * Keeping the messages in this queue rather than in libmosquitto's (which
 * has no bound) is what bounds the memory and the staleness. Messages
 * libmosquitto held when the connection went are lost: they are counted
 * as dropped when it comes back. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "publish-mqtt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <mosquitto.h>

GST_DEBUG_CATEGORY_EXTERN (gst_saliency_publish_debug);
#define GST_CAT_DEFAULT gst_saliency_publish_debug

#define MAX_INFLIGHT 16
#define RECONNECT_DELAY_MIN (G_USEC_PER_SEC / 2)  /* doubled up to the max */
#define RECONNECT_DELAY_MAX (30 * G_USEC_PER_SEC)
#define LOOP_TIMEOUT_MS 100     /* how soon the network thread sees a stop */

typedef struct
{
  gchar *topic;
  GString *payload;
} Message;

struct _GstSaliencyMqtt
{
  struct mosquitto *mosq;
  gchar *address;
  gint qos;
  GstSaliencyMqttNotify notify;
  gpointer user_data;
  GThread *sender;
  GThread *network;

  GMutex lock;
  GCond cond;
  GQueue queue;                 /* Message */
  guint queue_size;
  guint inflight;               /* handed to libmosquitto, not yet sent */
  gboolean connected;
  gboolean stopping;
  guint64 published;
  guint64 dropped;
};

static void
message_free (Message * m)
{
  g_free (m->topic);
  g_string_free (m->payload, TRUE);
  g_free (m);
}

static void
on_connect (struct mosquitto *mosq, void *data, int rc)
{
  GstSaliencyMqtt *mqtt = data;

  if (rc == 0) {
    g_mutex_lock (&mqtt->lock);
    /* What libmosquitto held when the last connection went is gone. */
    mqtt->dropped += mqtt->inflight;
    mqtt->inflight = 0;
    mqtt->connected = TRUE;
    g_cond_broadcast (&mqtt->cond);
    g_mutex_unlock (&mqtt->lock);
  }
  mqtt->notify (rc == 0, mqtt->address, mosquitto_connack_string (rc),
      mqtt->user_data);
}

static void
on_disconnect (struct mosquitto *mosq, void *data, int rc)
{
  GstSaliencyMqtt *mqtt = data;
  gboolean was_connected;

  g_mutex_lock (&mqtt->lock);
  was_connected = mqtt->connected;
  mqtt->connected = FALSE;
  g_cond_broadcast (&mqtt->cond);
  g_mutex_unlock (&mqtt->lock);
  /* Once per loss, not per failed attempt; rc 0: we asked for it. */
  if (rc != 0 && was_connected)
    mqtt->notify (FALSE, mqtt->address, mosquitto_strerror (rc),
        mqtt->user_data);
}

/* QoS 0: written to the socket; QoS 1 and 2: acknowledged. */
static void
on_publish (struct mosquitto *mosq, void *data, int mid)
{
  GstSaliencyMqtt *mqtt = data;

  g_mutex_lock (&mqtt->lock);
  if (mqtt->inflight > 0)
    mqtt->inflight--;
  mqtt->published++;
  g_cond_broadcast (&mqtt->cond);
  g_mutex_unlock (&mqtt->lock);
}

/* libmosquitto's loop, and the reconnections. A publish from the sender
 * thread wakes mosquitto_loop() (threaded mode). */
static gpointer
network_thread (gpointer data)
{
  GstSaliencyMqtt *mqtt = data;
  gint64 delay = RECONNECT_DELAY_MIN;
  gboolean stopping = FALSE;

  while (!stopping) {
    int rc = mosquitto_loop (mqtt->mosq, LOOP_TIMEOUT_MS, 1);
    gint64 until;

    g_mutex_lock (&mqtt->lock);
    if (mqtt->connected)
      delay = RECONNECT_DELAY_MIN;
    stopping = mqtt->stopping;
    if (rc != MOSQ_ERR_SUCCESS && !stopping) {
      /* Not connected (refused, lost): wait, unless asked to stop. */
      until = g_get_monotonic_time () + delay;
      while (!mqtt->stopping && g_cond_wait_until (&mqtt->cond, &mqtt->lock,
              until));
      stopping = mqtt->stopping;
    }
    g_mutex_unlock (&mqtt->lock);

    if (rc != MOSQ_ERR_SUCCESS && !stopping) {
      GST_DEBUG ("MQTT %s: %s; reconnecting", mqtt->address,
          rc == MOSQ_ERR_ERRNO ? g_strerror (errno) : mosquitto_strerror (rc));
      mosquitto_reconnect_async (mqtt->mosq);
      delay = MIN (delay * 2, RECONNECT_DELAY_MAX);
    }
  }

  /* A clean goodbye, if there is anyone to say it to. */
  if (mosquitto_disconnect (mqtt->mosq) == MOSQ_ERR_SUCCESS)
    mosquitto_loop (mqtt->mosq, LOOP_TIMEOUT_MS, 1);
  return NULL;
}

static gpointer
sender_thread (gpointer data)
{
  GstSaliencyMqtt *mqtt = data;

  g_mutex_lock (&mqtt->lock);
  while (TRUE) {
    Message *m;
    int rc;

    while (!mqtt->stopping && (g_queue_is_empty (&mqtt->queue)
            || !mqtt->connected || mqtt->inflight >= MAX_INFLIGHT))
      g_cond_wait (&mqtt->cond, &mqtt->lock);
    if (mqtt->stopping)
      break;

    m = g_queue_pop_head (&mqtt->queue);
    mqtt->inflight++;
    g_mutex_unlock (&mqtt->lock);

    rc = mosquitto_publish (mqtt->mosq, NULL, m->topic, (int) m->payload->len,
        m->payload->str, mqtt->qos, false);
    if (rc != MOSQ_ERR_SUCCESS)
      GST_DEBUG ("publishing to %s failed: %s", m->topic,
          mosquitto_strerror (rc));
    message_free (m);

    g_mutex_lock (&mqtt->lock);
    if (rc != MOSQ_ERR_SUCCESS) {
      if (mqtt->inflight > 0)
        mqtt->inflight--;
      mqtt->dropped++;
    }
  }
  g_mutex_unlock (&mqtt->lock);
  return NULL;
}

/* "host", "host:port", "[v6]:port"; the default port is 1883, 8883 with
 * TLS. */
static gboolean
parse_address (const gchar * address, gboolean tls, gchar ** host,
    gint * port, GError ** error)
{
  const gchar *colon = NULL;
  guint64 value;
  gchar *end;

  *port = tls ? 8883 : 1883;
  if (!address || !*address)
    goto bad;
  if (address[0] == '[') {
    const gchar *close = strchr (address, ']');

    if (!close || close == address + 1 || (close[1] && close[1] != ':'))
      goto bad;
    *host = g_strndup (address + 1, close - address - 1);
    if (close[1] == ':')
      colon = close + 1;
  } else {
    colon = strrchr (address, ':');
    if (colon == address)
      goto bad;
    *host = colon ? g_strndup (address, colon - address) : g_strdup (address);
  }
  if (colon) {
    value = g_ascii_strtoull (colon + 1, &end, 10);
    if (end == colon + 1 || *end || value < 1 || value > 65535) {
      g_clear_pointer (host, g_free);
      goto bad;
    }
    *port = (gint) value;
  }
  return TRUE;

bad:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
      "invalid MQTT address \"%s\": give HOST:PORT, e.g. 127.0.0.1:1883",
      address ? address : "");
  return FALSE;
}

static gboolean
check (int rc, const gchar * what, GError ** error)
{
  if (rc == MOSQ_ERR_SUCCESS)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "MQTT %s: %s", what,
      rc == MOSQ_ERR_ERRNO ? g_strerror (errno) : mosquitto_strerror (rc));
  return FALSE;
}

/* Fails only for settings that cannot work (address, TLS files); a broker
 * that does not answer is retried in the background. */
GstSaliencyMqtt *
gst_saliency_mqtt_new (const GstSaliencyMqttSettings * settings,
    GstSaliencyMqttNotify notify, gpointer user_data, GError ** error)
{
  static gsize initialised = 0;
  GstSaliencyMqtt *mqtt;
  gboolean tls = settings->cafile || settings->certfile || settings->keyfile;
  gchar *host;
  gint port, rc;

  if (g_once_init_enter (&initialised)) {
    mosquitto_lib_init ();
    g_once_init_leave (&initialised, 1);
  }

  if (!parse_address (settings->address, tls, &host, &port, error))
    return NULL;

  mqtt = g_new0 (GstSaliencyMqtt, 1);
  g_mutex_init (&mqtt->lock);
  g_cond_init (&mqtt->cond);
  g_queue_init (&mqtt->queue);
  mqtt->queue_size = MAX (settings->queue_size, 1);
  mqtt->qos = settings->qos;
  mqtt->notify = notify;
  mqtt->user_data = user_data;
  mqtt->address = g_strdup_printf ("%s:%d", host, port);

  mqtt->mosq = mosquitto_new (settings->client_id, true, mqtt);
  if (!mqtt->mosq) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "cannot create an MQTT client: %s", g_strerror (errno));
    goto fail;
  }
  mosquitto_connect_callback_set (mqtt->mosq, on_connect);
  mosquitto_disconnect_callback_set (mqtt->mosq, on_disconnect);
  mosquitto_publish_callback_set (mqtt->mosq, on_publish);
  /* Publishing from the sender thread then only queues and wakes the
   * network thread. */
  mosquitto_threaded_set (mqtt->mosq, true);

  if ((settings->username || settings->password)
      && !check (mosquitto_username_pw_set (mqtt->mosq, settings->username,
              settings->password), "username/password", error))
    goto fail;
  if (tls) {
    const gchar *names[] = { "cafile", "certfile", "keyfile" };
    const gchar *files[] = { settings->cafile, settings->certfile,
      settings->keyfile
    };

    for (guint i = 0; i < G_N_ELEMENTS (files); i++) {
      if (files[i] && g_access (files[i], R_OK) != 0) {
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
            "cannot read %s \"%s\": %s", names[i], files[i],
            g_strerror (errno));
        goto fail;
      }
    }
    if (!settings->cafile) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
          "MQTT over TLS needs cafile (the CA that signed the broker's "
          "certificate)");
      goto fail;
    }
    if (!check (mosquitto_tls_set (mqtt->mosq, settings->cafile, NULL,
                settings->certfile, settings->keyfile, NULL),
            "TLS settings (cafile, certfile, keyfile: readable PEM files, "
            "certfile and keyfile together)", error))
      goto fail;
  }

  /* A refused first connection is retried by the network thread. The
   * connection is non-blocking: a host that does not answer never holds
   * anyone up. */
  rc = mosquitto_connect_async (mqtt->mosq, host, port,
      MAX (settings->keepalive, 5));
  if (rc == MOSQ_ERR_INVAL || rc == MOSQ_ERR_EAI) {
    check (rc, mqtt->address, error);
    goto fail;
  }
  if (rc != MOSQ_ERR_SUCCESS)
    GST_DEBUG ("connecting to %s: %s, retrying", mqtt->address,
        rc == MOSQ_ERR_ERRNO ? g_strerror (errno) : mosquitto_strerror (rc));
  mqtt->network = g_thread_new ("saliency-mqtt-net", network_thread, mqtt);
  mqtt->sender = g_thread_new ("saliency-mqtt", sender_thread, mqtt);
  g_free (host);
  return mqtt;

fail:
  g_free (host);
  gst_saliency_mqtt_free (mqtt);
  return NULL;
}

/* Takes @payload. FALSE when the queue was full: the oldest message made
 * room and was dropped. */
gboolean
gst_saliency_mqtt_publish (GstSaliencyMqtt * mqtt, const gchar * topic,
    GString * payload)
{
  Message *m = g_new (Message, 1), *old = NULL;

  m->topic = g_strdup (topic);
  m->payload = payload;

  g_mutex_lock (&mqtt->lock);
  if (g_queue_get_length (&mqtt->queue) >= mqtt->queue_size) {
    old = g_queue_pop_head (&mqtt->queue);
    mqtt->dropped++;
  }
  g_queue_push_tail (&mqtt->queue, m);
  g_cond_broadcast (&mqtt->cond);
  g_mutex_unlock (&mqtt->lock);

  if (old)
    message_free (old);
  return old == NULL;
}

/* Waits, at most @timeout_us, until every queued message is sent (at EOS);
 * gives up at once when not connected. */
void
gst_saliency_mqtt_flush (GstSaliencyMqtt * mqtt, gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;

  g_mutex_lock (&mqtt->lock);
  while (mqtt->connected && (!g_queue_is_empty (&mqtt->queue)
          || mqtt->inflight > 0))
    if (!g_cond_wait_until (&mqtt->cond, &mqtt->lock, deadline))
      break;
  g_mutex_unlock (&mqtt->lock);
}

void
gst_saliency_mqtt_get_counts (GstSaliencyMqtt * mqtt, guint64 * published,
    guint64 * dropped)
{
  g_mutex_lock (&mqtt->lock);
  *published = mqtt->published;
  *dropped = mqtt->dropped;
  g_mutex_unlock (&mqtt->lock);
}

void
gst_saliency_mqtt_free (GstSaliencyMqtt * mqtt)
{
  if (!mqtt)
    return;

  g_mutex_lock (&mqtt->lock);
  mqtt->stopping = TRUE;
  g_cond_broadcast (&mqtt->cond);
  g_mutex_unlock (&mqtt->lock);
  if (mqtt->sender)
    g_thread_join (mqtt->sender);
  if (mqtt->network)
    g_thread_join (mqtt->network);
  if (mqtt->mosq)
    mosquitto_destroy (mqtt->mosq);
  g_queue_clear_full (&mqtt->queue, (GDestroyNotify) message_free);
  g_mutex_clear (&mqtt->lock);
  g_cond_clear (&mqtt->cond);
  g_free (mqtt->address);
  g_free (mqtt);
}
