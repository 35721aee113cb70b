/* Four cameras in one process: four live 1080p sources through four
 * saliency elements in one pipeline. Each element must keep its own
 * temporal state: the maps of each stream equal, bit for bit, the maps the
 * same stream gets in a pipeline of its own.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <gst/gst.h>
#include <stdlib.h>

#include "gstsaliencymeta.h"

#define N_STREAMS 4
#define N_FRAMES 24

/* Different pictures, all moving, so that the temporal state matters. */
static const gchar *const sources[N_STREAMS] = {
  "pattern=ball",
  "pattern=smpte horizontal-speed=8",
  "pattern=pinwheel horizontal-speed=-6",
  "pattern=circular horizontal-speed=4",
};

/* The maps that reached one sink, in order. */
typedef struct
{
  GPtrArray *maps;              /* GBytes */
  gboolean reused;              /* a map was reused: the run proves nothing */
} Stream;

static GstPadProbeReturn
collect (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Stream *stream = data;
  GstSaliencyMeta *meta =
      gst_buffer_get_saliency_meta (GST_PAD_PROBE_INFO_BUFFER (info));

  if (!meta) {
    g_printerr ("FAIL: a buffer without GstSaliencyMeta\n");
    exit (1);
  }
  if (meta->flags & GST_SALIENCY_META_FLAG_REUSED)
    stream->reused = TRUE;
  g_ptr_array_add (stream->maps, gst_saliency_meta_get_bytes (meta));
  return GST_PAD_PROBE_OK;
}

static gchar *
branch (guint i, const gchar * model)
{
  return g_strdup_printf ("videotestsrc is-live=true num-buffers=%d %s ! "
      "video/x-raw,format=I420,width=1920,height=1080,framerate=30/1 ! "
      "saliency mode=none qos=false %s%s ! fakesink name=sink%u sync=false ",
      N_FRAMES, sources[i], model ? "model=" : "", model ? model : "", i);
}

/* Runs the streams in @which (a bit mask) in one pipeline. */
static void
run (guint which, Stream * streams, const gchar * model)
{
  GString *desc = g_string_new (NULL);
  GstElement *pipeline;
  GError *error = NULL;
  GstMessage *msg;
  GstBus *bus;
  gboolean done = FALSE;

  for (guint i = 0; i < N_STREAMS; i++) {
    if (which & (1 << i)) {
      gchar *b = branch (i, model);

      g_string_append (desc, b);
      g_free (b);
    }
  }
  pipeline = gst_parse_launch (desc->str, &error);
  if (!pipeline) {
    g_printerr ("FAIL: %s: %s\n", desc->str, error->message);
    exit (1);
  }
  g_string_free (desc, TRUE);

  for (guint i = 0; i < N_STREAMS; i++) {
    gchar *name = g_strdup_printf ("sink%u", i);
    GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), name);

    if (sink) {
      GstPad *pad = gst_element_get_static_pad (sink, "sink");

      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, collect,
          &streams[i], NULL);
      gst_object_unref (pad);
      gst_object_unref (sink);
    }
    g_free (name);
  }

  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  while (!done) {
    msg = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_LATENCY);
    switch (GST_MESSAGE_TYPE (msg)) {
      case GST_MESSAGE_LATENCY:
        gst_bin_recalculate_latency (GST_BIN (pipeline));
        break;
      case GST_MESSAGE_ERROR:
        gst_message_parse_error (msg, &error, NULL);
        g_printerr ("FAIL: %s\n", error->message);
        exit (1);
      default:
        done = TRUE;
        break;
    }
    gst_message_unref (msg);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
}

int
main (int argc, char **argv)
{
  const gchar *model = g_getenv ("SALIENCY_TEST_MODEL");
  Stream together[N_STREAMS], alone[N_STREAMS];
  int status = 0;

  gst_init (&argc, &argv);
  for (guint i = 0; i < N_STREAMS; i++) {
    together[i].maps = g_ptr_array_new_with_free_func (
        (GDestroyNotify) g_bytes_unref);
    alone[i].maps = g_ptr_array_new_with_free_func (
        (GDestroyNotify) g_bytes_unref);
    together[i].reused = alone[i].reused = FALSE;
  }

  run ((1 << N_STREAMS) - 1, together, model);
  for (guint i = 0; i < N_STREAMS; i++)
    run (1 << i, alone, model);

  for (guint i = 0; i < N_STREAMS; i++) {
    guint differ = 0;

    if (together[i].reused || alone[i].reused) {
      g_printerr ("FAIL: stream %u reused maps (QoS is off)\n", i);
      status = 1;
    }
    if (together[i].maps->len != N_FRAMES || alone[i].maps->len != N_FRAMES) {
      g_printerr ("FAIL: stream %u: %u maps together, %u alone, for %d "
          "frames\n", i, together[i].maps->len, alone[i].maps->len, N_FRAMES);
      status = 1;
      continue;
    }
    for (guint n = 0; n < N_FRAMES; n++)
      if (!g_bytes_equal (together[i].maps->pdata[n], alone[i].maps->pdata[n]))
        differ++;
    if (differ) {
      g_printerr ("FAIL: stream %u (%s): %u of %d maps differ from the "
          "stream's own run\n", i, sources[i], differ, N_FRAMES);
      status = 1;
    } else {
      g_print ("stream %u (%s): %d maps equal to its own run\n", i,
          sources[i], N_FRAMES);
    }
    /* The streams differ from each other: the comparison means something. */
    if (i > 0 && g_bytes_equal (together[i].maps->pdata[N_FRAMES - 1],
            together[0].maps->pdata[N_FRAMES - 1])) {
      g_printerr ("FAIL: streams 0 and %u have the same map\n", i);
      status = 1;
    }
  }

  for (guint i = 0; i < N_STREAMS; i++) {
    g_ptr_array_unref (together[i].maps);
    g_ptr_array_unref (alone[i].maps);
  }
  gst_deinit ();
  return status;
}
