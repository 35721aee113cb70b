/* saliencypublish: an MQTT client that never blocks its caller
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __PUBLISH_MQTT_H__
#define __PUBLISH_MQTT_H__

#include <glib.h>

G_BEGIN_DECLS

typedef struct _GstSaliencyMqtt GstSaliencyMqtt;

typedef struct
{
  const gchar *address;         /* HOST, HOST:PORT or [IPV6]:PORT */
  const gchar *client_id;       /* NULL: the library makes one up */
  const gchar *username;
  const gchar *password;
  const gchar *cafile;          /* any of the three: TLS */
  const gchar *certfile;
  const gchar *keyfile;
  gint qos;
  guint queue_size;
  guint keepalive;              /* seconds */
} GstSaliencyMqttSettings;

/* Called from the client's network thread when the connection to the
 * broker at @address (HOST:PORT) comes or goes; @reason says why. */
typedef void (*GstSaliencyMqttNotify) (gboolean connected,
    const gchar * address, const gchar * reason, gpointer user_data);

GstSaliencyMqtt *gst_saliency_mqtt_new (const GstSaliencyMqttSettings *
    settings, GstSaliencyMqttNotify notify, gpointer user_data,
    GError ** error);
gboolean gst_saliency_mqtt_publish (GstSaliencyMqtt * mqtt,
    const gchar * topic, GString * payload);
void gst_saliency_mqtt_flush (GstSaliencyMqtt * mqtt, gint64 timeout_us);
void gst_saliency_mqtt_get_counts (GstSaliencyMqtt * mqtt,
    guint64 * published, guint64 * dropped);
void gst_saliency_mqtt_free (GstSaliencyMqtt * mqtt);

G_END_DECLS

#endif /* __PUBLISH_MQTT_H__ */
