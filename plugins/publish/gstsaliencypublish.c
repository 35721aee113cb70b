/* GStreamer saliencypublish element
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-saliencypublish
 * @title: saliencypublish
 * @see_also: saliency, #GstSaliencyMeta
 *
 * Publishes the results of an upstream saliency element as one JSON object
 * per frame: source and tags, frame number, PTS and UTC time, resolution,
 * the peak and spread of the map, the regions (pixel and normalised boxes,
 * score, mass), optionally a coarse grid of the map (#GstSaliencyPublish:grid)
 * and, on the frame after each "saliency-stats" report of the saliency
 * element (its stats-interval), the health figures with the publisher's
 * own counts. docs/saliency-record.schema.json is the schema.
 *
 * The buffers pass through untouched. #GstSaliencyPublish:method file writes
 * JSON lines to #GstSaliencyPublish:location ("-" for stdout); method mqtt
 * sends one message per frame to the broker at #GstSaliencyPublish:address,
 * on #GstSaliencyPublish:topic (default "saliency/SOURCE-ID").
 *
 * MQTT never holds the pipeline back: messages wait in a queue of
 * #GstSaliencyPublish:queue-size while the broker is slow or away, and the
 * oldest are dropped (and counted, #GstSaliencyPublish:dropped) when it is
 * full. A lost broker is reconnected with exponential back-off (1 s to
 * 30 s); the loss is a warning on the bus, and every change of the
 * connection an element message "saliencypublish-connection" (connected,
 * address, reason). At EOS the queue gets up to two seconds to drain.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 -q v4l2src ! videoconvert ! saliency mode=none \
 *     source-id=door ! saliencypublish location=- ! fakesink
 * ]| Prints a JSON line per camera frame.
 * |[
 * gst-launch-1.0 rtspsrc location=rtsp://cam/stream protocols=tcp ! \
 *     decodebin ! videoconvert ! saliency mode=none source-id=cam1 \
 *     stats-interval=10000000000 ! \
 *     saliencypublish method=mqtt address=broker:1883 ! fakesink sync=false
 * ]| Publishes to the topic saliency/cam1.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstsaliencypublish.h"


#include "gstsaliencymeta.h"
#include "publish-file.h"
#include "saliency-record.h"
#ifdef HAVE_MOSQUITTO
#include "publish-mqtt.h"
#endif

GST_DEBUG_CATEGORY (gst_saliency_publish_debug);
#define GST_CAT_DEFAULT gst_saliency_publish_debug

#define DEFAULT_METHOD GST_SALIENCY_PUBLISH_METHOD_FILE
#define DEFAULT_LOCATION "-"
#define DEFAULT_ADDRESS "localhost:1883"
#define DEFAULT_QOS 0
#define DEFAULT_QUEUE_SIZE 64
#define DEFAULT_KEEPALIVE 30
#define EOS_DRAIN_TIMEOUT (2 * G_USEC_PER_SEC)

enum
{
  PROP_0,
  PROP_METHOD,
  PROP_LOCATION,
  PROP_ADDRESS,
  PROP_TOPIC,
  PROP_CLIENT_ID,
  PROP_USERNAME,
  PROP_PASSWORD,
  PROP_CAFILE,
  PROP_CERTFILE,
  PROP_KEYFILE,
  PROP_QOS,
  PROP_QUEUE_SIZE,
  PROP_GRID,
  PROP_PUBLISHED,
  PROP_DROPPED,
};

/* The string properties: the ids from PROP_LOCATION to PROP_KEYFILE. */
#define N_STRINGS (PROP_KEYFILE - PROP_LOCATION + 1)

struct _GstSaliencyPublish
{
  GstBaseTransform parent;

  /* Properties, with the object lock. */
  GstSaliencyPublishMethod method;
  gchar *strings[N_STRINGS];
  gint qos;
  guint queue_size;
  gchar *grid;
  guint grid_cols;
  guint grid_rows;
  guint64 written;              /* records written to the file */

  /* Streaming. */
  GstSaliencyFileOutput *file;
#ifdef HAVE_MOSQUITTO
  GstSaliencyMqtt *mqtt;
#endif
  GstStructure *stats;          /* the latest report, for the next record */
  gboolean warned_no_meta;
};

#define STRING(self, prop) ((self)->strings[(prop) - PROP_LOCATION])
#define IS_STRING(prop) ((prop) >= PROP_LOCATION && (prop) <= PROP_KEYFILE)

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

#define gst_saliency_publish_parent_class parent_class
G_DEFINE_TYPE (GstSaliencyPublish, gst_saliency_publish,
    GST_TYPE_BASE_TRANSFORM);
GST_ELEMENT_REGISTER_DEFINE (saliencypublish, "saliencypublish",
    GST_RANK_NONE, GST_TYPE_SALIENCY_PUBLISH);

GType
gst_saliency_publish_method_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_SALIENCY_PUBLISH_METHOD_FILE,
        "JSON lines into a file (location; - for stdout)", "file"},
#ifdef HAVE_MOSQUITTO
    /* Listed only when it works: gst-inspect-1.0 says whether it is there. */
    {GST_SALIENCY_PUBLISH_METHOD_MQTT,
        "One MQTT message per frame (address, topic)", "mqtt"},
#endif
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType _type = g_enum_register_static ("GstSaliencyPublishMethod", values);
    g_once_init_leave (&type, _type);
  }
  return type;
}

static void gst_saliency_publish_finalize (GObject * object);
static void gst_saliency_publish_set_property (GObject * object,
    guint prop_id, const GValue * value, GParamSpec * pspec);
static void gst_saliency_publish_get_property (GObject * object,
    guint prop_id, GValue * value, GParamSpec * pspec);
static gboolean gst_saliency_publish_start (GstBaseTransform * trans);
static gboolean gst_saliency_publish_stop (GstBaseTransform * trans);
static gboolean gst_saliency_publish_sink_event (GstBaseTransform * trans,
    GstEvent * event);
static GstFlowReturn gst_saliency_publish_transform_ip (GstBaseTransform *
    trans, GstBuffer * buf);

static void
install_string (GObjectClass * gobject_class, guint prop_id,
    const gchar * name, const gchar * nick, const gchar * blurb,
    const gchar * default_value)
{
  g_object_class_install_property (gobject_class, prop_id,
      g_param_spec_string (name, nick, blurb, default_value,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY |
          G_PARAM_STATIC_STRINGS));
}

static void
gst_saliency_publish_class_init (GstSaliencyPublishClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);

  gobject_class->finalize = gst_saliency_publish_finalize;
  gobject_class->set_property = gst_saliency_publish_set_property;
  gobject_class->get_property = gst_saliency_publish_get_property;

  g_object_class_install_property (gobject_class, PROP_METHOD,
      g_param_spec_enum ("method", "Method",
          "Where the records go: file (JSON lines) or mqtt",
          GST_TYPE_SALIENCY_PUBLISH_METHOD, DEFAULT_METHOD,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY |
          G_PARAM_STATIC_STRINGS));
  install_string (gobject_class, PROP_LOCATION, "location", "Location",
      "method file: the file to write (created or truncated); - for stdout",
      DEFAULT_LOCATION);
  install_string (gobject_class, PROP_ADDRESS, "address", "Address",
      "method mqtt: the broker as HOST:PORT (port 1883 by default, 8883 "
      "with TLS)", DEFAULT_ADDRESS);
  install_string (gobject_class, PROP_TOPIC, "topic", "Topic",
      "method mqtt: the topic; NULL for saliency/SOURCE-ID (the source-id "
      "of the saliency element)", NULL);
  g_object_class_install_property (gobject_class, PROP_QOS,
      g_param_spec_int ("qos", "QoS",
          "method mqtt: MQTT quality of service (0, 1 or 2)",
          0, 2, DEFAULT_QOS,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY |
          G_PARAM_STATIC_STRINGS));
  install_string (gobject_class, PROP_CLIENT_ID, "client-id", "Client ID",
      "method mqtt: the client identifier; NULL for a random one", NULL);
  install_string (gobject_class, PROP_USERNAME, "username", "Username",
      "method mqtt: user name for the broker", NULL);
  install_string (gobject_class, PROP_PASSWORD, "password", "Password",
      "method mqtt: password for the broker", NULL);
  install_string (gobject_class, PROP_CAFILE, "cafile", "CA file",
      "method mqtt: PEM file of the CA that signed the broker's certificate; "
      "setting it (or certfile) connects with TLS", NULL);
  install_string (gobject_class, PROP_CERTFILE, "certfile",
      "Certificate file",
      "method mqtt: PEM client certificate, for brokers that require one "
      "(with keyfile)", NULL);
  install_string (gobject_class, PROP_KEYFILE, "keyfile", "Key file",
      "method mqtt: PEM private key of certfile", NULL);
  g_object_class_install_property (gobject_class, PROP_QUEUE_SIZE,
      g_param_spec_uint ("queue-size", "Queue size",
          "method mqtt: messages kept while the broker is slow or away; "
          "when full, the oldest is dropped and counted",
          1, 100000, DEFAULT_QUEUE_SIZE,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY |
          G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_GRID,
      g_param_spec_string ("grid", "Grid",
          "Add the probability mass of each cell of a COLSxROWS grid over "
          "the frame to every record (e.g. 16x9; up to 64x64); NULL or "
          "none for no grid", NULL,
          G_PARAM_READWRITE | GST_PARAM_MUTABLE_PLAYING |
          G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_PUBLISHED,
      g_param_spec_uint64 ("published", "Published",
          "Records written (file) or sent to the broker (mqtt)",
          0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_DROPPED,
      g_param_spec_uint64 ("dropped", "Dropped",
          "Records dropped because the broker was slow or away",
          0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Saliency publisher", "Filter/Analyzer/Video",
      "Publishes the saliency element's results as JSON: lines in a file "
      "or messages to an MQTT broker", "The gst-saliency authors");

  trans_class->start = GST_DEBUG_FUNCPTR (gst_saliency_publish_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_saliency_publish_stop);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_saliency_publish_sink_event);
  trans_class->transform_ip =
      GST_DEBUG_FUNCPTR (gst_saliency_publish_transform_ip);
  trans_class->passthrough_on_same_caps = TRUE;

  GST_DEBUG_CATEGORY_INIT (gst_saliency_publish_debug, "saliencypublish", 0,
      "saliency publisher");

  gst_type_mark_as_plugin_api (GST_TYPE_SALIENCY_PUBLISH_METHOD, 0);
}

static void
gst_saliency_publish_init (GstSaliencyPublish * self)
{
  self->method = DEFAULT_METHOD;
  STRING (self, PROP_LOCATION) = g_strdup (DEFAULT_LOCATION);
  STRING (self, PROP_ADDRESS) = g_strdup (DEFAULT_ADDRESS);
  self->qos = DEFAULT_QOS;
  self->queue_size = DEFAULT_QUEUE_SIZE;
  gst_base_transform_set_passthrough (GST_BASE_TRANSFORM (self), TRUE);
}

static void
gst_saliency_publish_finalize (GObject * object)
{
  GstSaliencyPublish *self = GST_SALIENCY_PUBLISH (object);

  for (guint i = 0; i < N_STRINGS; i++)
    g_free (self->strings[i]);
  g_free (self->grid);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_saliency_publish_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstSaliencyPublish *self = GST_SALIENCY_PUBLISH (object);

  GST_OBJECT_LOCK (self);
  if (IS_STRING (prop_id)) {
    g_free (STRING (self, prop_id));
    STRING (self, prop_id) = g_value_dup_string (value);
    GST_OBJECT_UNLOCK (self);
    return;
  }
  switch (prop_id) {
    case PROP_METHOD:
      self->method = g_value_get_enum (value);
      break;
    case PROP_QOS:
      self->qos = g_value_get_int (value);
      break;
    case PROP_QUEUE_SIZE:
      self->queue_size = g_value_get_uint (value);
      break;
    case PROP_GRID:{
      const gchar *grid = g_value_get_string (value);
      guint cols, rows;

      if (gst_saliency_parse_grid (grid, &cols, &rows)) {
        g_free (self->grid);
        self->grid = g_strdup (grid);
        self->grid_cols = cols;
        self->grid_rows = rows;
      } else {
        GST_WARNING_OBJECT (self, "grid \"%s\" refused: give COLSxROWS, "
            "each from 1 to 64, such as 16x9", grid);
      }
      break;
    }
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* Records sent (written, or handed to the broker) and dropped. */
static void
gst_saliency_publish_get_counts (GstSaliencyPublish * self,
    guint64 * published, guint64 * dropped)
{
  GST_OBJECT_LOCK (self);
  *published = self->written;
  *dropped = 0;
#ifdef HAVE_MOSQUITTO
  if (self->mqtt)
    gst_saliency_mqtt_get_counts (self->mqtt, published, dropped);
#endif
  GST_OBJECT_UNLOCK (self);
}

static void
gst_saliency_publish_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstSaliencyPublish *self = GST_SALIENCY_PUBLISH (object);
  guint64 published, dropped;

  if (prop_id == PROP_PUBLISHED || prop_id == PROP_DROPPED) {
    gst_saliency_publish_get_counts (self, &published, &dropped);
    g_value_set_uint64 (value, prop_id == PROP_PUBLISHED ? published
        : dropped);
    return;
  }

  GST_OBJECT_LOCK (self);
  if (IS_STRING (prop_id)) {
    g_value_set_string (value, STRING (self, prop_id));
    GST_OBJECT_UNLOCK (self);
    return;
  }
  switch (prop_id) {
    case PROP_METHOD:
      g_value_set_enum (value, self->method);
      break;
    case PROP_QOS:
      g_value_set_int (value, self->qos);
      break;
    case PROP_QUEUE_SIZE:
      g_value_set_uint (value, self->queue_size);
      break;
    case PROP_GRID:
      g_value_set_string (value, self->grid);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

#ifdef HAVE_MOSQUITTO
/* From libmosquitto's network thread. */
static void
gst_saliency_publish_on_connection (gboolean connected,
    const gchar * address, const gchar * reason, gpointer user_data)
{
  GstSaliencyPublish *self = user_data;

  if (connected) {
    GST_INFO_OBJECT (self, "connected to the MQTT broker at %s", address);
  } else {
    GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
        ("No connection to the MQTT broker at %s (%s): retrying. Results "
            "wait in a queue of queue-size; the oldest are dropped when it "
            "is full.", address, reason), (NULL));
  }
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self),
          gst_structure_new ("saliencypublish-connection",
              "connected", G_TYPE_BOOLEAN, connected,
              "address", G_TYPE_STRING, address,
              "reason", G_TYPE_STRING, reason, NULL)));
}

static gboolean
gst_saliency_publish_start_mqtt (GstSaliencyPublish * self)
{
  GstSaliencyMqttSettings settings = { 0, };
  GError *error = NULL;
  GstSaliencyMqtt *mqtt;

  GST_OBJECT_LOCK (self);
  settings.address = STRING (self, PROP_ADDRESS);
  settings.client_id = STRING (self, PROP_CLIENT_ID);
  settings.username = STRING (self, PROP_USERNAME);
  settings.password = STRING (self, PROP_PASSWORD);
  settings.cafile = STRING (self, PROP_CAFILE);
  settings.certfile = STRING (self, PROP_CERTFILE);
  settings.keyfile = STRING (self, PROP_KEYFILE);
  settings.qos = self->qos;
  settings.queue_size = self->queue_size;
  settings.keepalive = DEFAULT_KEEPALIVE;
  /* The strings are only changed in NULL and READY. */
  GST_OBJECT_UNLOCK (self);

  mqtt = gst_saliency_mqtt_new (&settings,
      gst_saliency_publish_on_connection, self, &error);
  if (!mqtt) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", error->message),
        (NULL));
    g_error_free (error);
    return FALSE;
  }
  GST_OBJECT_LOCK (self);
  self->mqtt = mqtt;
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}
#endif

static gboolean
gst_saliency_publish_start (GstBaseTransform * trans)
{
  GstSaliencyPublish *self = GST_SALIENCY_PUBLISH (trans);
  GstSaliencyPublishMethod method;
  GError *error = NULL;
  gchar *location;

  GST_OBJECT_LOCK (self);
  method = self->method;
  location = g_strdup (STRING (self, PROP_LOCATION));
  self->written = 0;
  GST_OBJECT_UNLOCK (self);
  self->warned_no_meta = FALSE;

  if (method == GST_SALIENCY_PUBLISH_METHOD_MQTT) {
    g_free (location);
#ifdef HAVE_MOSQUITTO
    return gst_saliency_publish_start_mqtt (self);
#else
    GST_ELEMENT_ERROR (self, CORE, NOT_IMPLEMENTED,
        ("method mqtt is not available: this plugin was built without "
            "libmosquitto (install libmosquitto-dev and rebuild)"), (NULL));
    return FALSE;
#endif
  }

  self->file = gst_saliency_file_output_open (location, &error);
  g_free (location);
  if (!self->file) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE, ("%s", error->message),
        (NULL));
    g_error_free (error);
    return FALSE;
  }
  return TRUE;
}

static gboolean
gst_saliency_publish_stop (GstBaseTransform * trans)
{
  GstSaliencyPublish *self = GST_SALIENCY_PUBLISH (trans);

  g_clear_pointer (&self->file, gst_saliency_file_output_close);
#ifdef HAVE_MOSQUITTO
  {
    GstSaliencyMqtt *mqtt;

    GST_OBJECT_LOCK (self);
    mqtt = self->mqtt;
    self->mqtt = NULL;
    GST_OBJECT_UNLOCK (self);
    gst_saliency_mqtt_free (mqtt);
  }
#endif
  g_clear_pointer (&self->stats, gst_structure_free);
  return TRUE;
}

/* The saliency element's report, with this element's counts added, goes on
 * the bus and into the next record. */
static void
gst_saliency_publish_take_stats (GstSaliencyPublish * self,
    const GstStructure * report)
{
  GstStructure *s = gst_structure_copy (report);
  guint64 published, dropped;

  gst_saliency_publish_get_counts (self, &published, &dropped);
  gst_structure_set (s, "published", G_TYPE_UINT64, published,
      "dropped-publishes", G_TYPE_UINT64, dropped, NULL);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), gst_structure_copy (s)));

  if (self->stats)
    gst_structure_free (self->stats);
  self->stats = s;
}

static gboolean
gst_saliency_publish_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstSaliencyPublish *self = GST_SALIENCY_PUBLISH (trans);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_CUSTOM_DOWNSTREAM:
      if (gst_event_has_name (event, "saliency-stats"))
        gst_saliency_publish_take_stats (self,
            gst_event_get_structure (event));
      break;
    case GST_EVENT_EOS:
#ifdef HAVE_MOSQUITTO
      /* The last frames' messages, unless the broker is away. */
      if (self->mqtt)
        gst_saliency_mqtt_flush (self->mqtt, EOS_DRAIN_TIMEOUT);
#endif
      break;
    default:
      break;
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

#ifdef HAVE_MOSQUITTO
/* saliency/SOURCE-ID, without the MQTT wildcards. */
static gchar *
default_topic (const gchar * source_id)
{
  gchar *id = g_strdup (source_id && *source_id ? source_id : "unnamed");
  gchar *topic = g_strconcat ("saliency/", g_strdelimit (id, "+#", '_'), NULL);

  g_free (id);
  return topic;
}
#endif

static GstFlowReturn
gst_saliency_publish_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstSaliencyPublish *self = GST_SALIENCY_PUBLISH (trans);
  GstSaliencyMeta *meta = gst_buffer_get_saliency_meta (buf);
  GstSaliencyRecordOptions options = { 0, };
  GString *record;
  gchar *topic;

  if (!meta) {
    /* Not fatal: a stream can start before the analysis. */
    if (!self->warned_no_meta)
      GST_ELEMENT_WARNING (self, STREAM, FORMAT,
          ("Frames without saliency results: put saliencypublish after a "
              "saliency element"), ("first at %" GST_TIME_FORMAT,
              GST_TIME_ARGS (GST_BUFFER_PTS (buf))));
    self->warned_no_meta = TRUE;
    return GST_FLOW_OK;
  }

  GST_OBJECT_LOCK (self);
  options.grid_cols = self->grid_cols;
  options.grid_rows = self->grid_rows;
  topic = g_strdup (STRING (self, PROP_TOPIC));
  GST_OBJECT_UNLOCK (self);
  options.stats = self->stats;
  if (options.stats)
    gst_saliency_publish_get_counts (self, &options.published,
        &options.dropped);

  record = g_string_sized_new (1024);
  gst_saliency_record_write (record, buf, meta, &options);
  g_clear_pointer (&self->stats, gst_structure_free);

  if (self->file) {
    GError *error = NULL;
    gboolean ok = gst_saliency_file_output_write (self->file, record->str,
        record->len, &error);

    g_string_free (record, TRUE);
    g_free (topic);
    if (!ok) {
      GST_ELEMENT_ERROR (self, RESOURCE, WRITE, ("%s", error->message),
          (NULL));
      g_error_free (error);
      return GST_FLOW_ERROR;
    }
    GST_OBJECT_LOCK (self);
    self->written++;
    GST_OBJECT_UNLOCK (self);
    return GST_FLOW_OK;
  }
#ifdef HAVE_MOSQUITTO
  if (!topic)
    topic = default_topic (meta->source_id);
  if (!gst_saliency_mqtt_publish (self->mqtt, topic, record))
    GST_LOG_OBJECT (self, "queue full: dropped the oldest message");
#else
  g_string_free (record, TRUE);
#endif
  g_free (topic);
  return GST_FLOW_OK;
}
