/* GStreamer unit tests: what every saliency result carries for live
 * monitoring, and the records of saliencypublish
 *
 * The real saliency element (model classic) in a GstHarness: source-id,
 * tags, frame numbers, wall-clock time from reference timestamp metas,
 * message-interval, the saliency-stats message and event; and the JSON
 * record saliencypublish writes for a frame, compared with the metas it
 * comes from.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "gstsaliencymeta.h"

#define WIDTH 64
#define HEIGHT 48
#define FRAME_DURATION (GST_SECOND / 30)
/* 1900 (NTP) to 1970 (Unix), in seconds. */
#define NTP_UNIX_OFFSET G_GUINT64_CONSTANT (2208988800)

static GstHarness *
harness_new (const gchar * launch)
{
  GstHarness *h = gst_harness_new_parse (launch);

  gst_harness_set_src_caps_str (h, "video/x-raw,format=RGBx,width=64,"
      "height=48,framerate=30/1");
  gst_harness_play (h);
  return h;
}

static GstElement *
find (GstHarness * h, const gchar * factory)
{
  GstElement *element = gst_harness_find_element (h, factory);

  fail_unless (element != NULL);
  gst_object_unref (element);   /* the bin keeps it */
  return element;
}

/* A gray frame with a white square at the top left, frame @n. */
static GstBuffer *
make_frame (guint n)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, WIDTH * HEIGHT * 4, NULL);
  GstMapInfo map;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_WRITE));
  for (gint y = 0; y < HEIGHT; y++)
    for (gint x = 0; x < WIDTH; x++)
      memset (map.data + (y * WIDTH + x) * 4,
          x >= 8 && x < 20 && y >= 6 && y < 18 ? 255 : 100, 4);
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = n * FRAME_DURATION;
  GST_BUFFER_DURATION (buf) = FRAME_DURATION;
  return buf;
}

static gint64
now_ns (void)
{
  return g_get_real_time () * 1000;
}

GST_START_TEST (test_identity)
{
  GstHarness *h = harness_new ("saliency model=classic mode=none "
      "source-id=cam1 tags=\"{ \\\"site\\\" : \\\"north\\\", "
      "\\\"lane\\\": [1, 2] }\"");

  for (guint n = 0; n < 3; n++) {
    gint64 before = now_ns ();
    GstBuffer *out = gst_harness_push_and_pull (h, make_frame (n));
    GstSaliencyMeta *meta = gst_buffer_get_saliency_meta (out);
    GstBuffer *copy;

    fail_unless (meta != NULL);
    fail_unless_equals_uint64 (meta->frame, n);
    fail_unless_equals_uint64 (meta->pts, n * FRAME_DURATION);
    fail_unless_equals_string (meta->source_id, "cam1");
    /* Compact JSON, members in order. */
    fail_unless_equals_string (meta->tags,
        "{\"site\":\"north\",\"lane\":[1,2]}");
    /* No reference: the system clock, at capture or arrival. */
    fail_unless (meta->time_source == GST_SALIENCY_TIME_SOURCE_CLOCK
        || meta->time_source == GST_SALIENCY_TIME_SOURCE_ARRIVAL);
    fail_unless (ABS ((gint64) meta->utc - before) < 10 * GST_SECOND,
        "utc %" G_GUINT64_FORMAT " is not about now", meta->utc);

    /* Copies keep all of it. */
    copy = gst_buffer_copy (out);
    meta = gst_buffer_get_saliency_meta (copy);
    fail_unless_equals_uint64 (meta->frame, n);
    fail_unless_equals_string (meta->source_id, "cam1");
    fail_unless_equals_string (meta->tags,
        "{\"site\":\"north\",\"lane\":[1,2]}");
    gst_buffer_unref (copy);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Unset: the element's name, and no tags. */
GST_START_TEST (test_identity_defaults)
{
  GstHarness *h = harness_new ("saliency name=door model=classic mode=none");
  GstBuffer *out = gst_harness_push_and_pull (h, make_frame (0));
  GstSaliencyMeta *meta = gst_buffer_get_saliency_meta (out);

  fail_unless_equals_string (meta->source_id, "door");
  fail_unless (meta->tags == NULL);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

static GstBuffer *
with_reference (GstBuffer * buf, const gchar * caps, GstClockTime timestamp)
{
  GstCaps *reference = gst_caps_from_string (caps);

  gst_buffer_add_reference_timestamp_meta (buf, reference, timestamp,
      GST_CLOCK_TIME_NONE);
  gst_caps_unref (reference);
  return buf;
}

/* The camera's time when the frame carries it: NTP (RTCP sender reports)
 * or Unix; references on other clocks are ignored. */
GST_START_TEST (test_reference_time)
{
  GstHarness *h = harness_new ("saliency model=classic mode=none");
  const GstClockTime unix_time = 1700000000 * GST_SECOND + 123456789;
  struct
  {
    const gchar *caps;
    GstClockTime timestamp;
    GstSaliencyTimeSource source;
  } cases[] = {
    {"timestamp/x-ntp, host=(string)cam", unix_time
          + NTP_UNIX_OFFSET * GST_SECOND, GST_SALIENCY_TIME_SOURCE_REFERENCE},
    {"timestamp/x-unix", unix_time, GST_SALIENCY_TIME_SOURCE_REFERENCE},
    {"timestamp/x-ptp, domain=(int)0", unix_time, GST_SALIENCY_TIME_SOURCE_NONE},
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    GstBuffer *out = gst_harness_push_and_pull (h,
        with_reference (make_frame (i), cases[i].caps, cases[i].timestamp));
    GstSaliencyMeta *meta = gst_buffer_get_saliency_meta (out);

    if (cases[i].source == GST_SALIENCY_TIME_SOURCE_REFERENCE) {
      fail_unless_equals_int (meta->time_source, cases[i].source);
      fail_unless_equals_uint64 (meta->utc, unix_time);
    } else {
      fail_unless (meta->time_source != GST_SALIENCY_TIME_SOURCE_REFERENCE,
          "%s taken as a reference", cases[i].caps);
    }
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_tags_structure)
{
  GstHarness *h = harness_new ("saliency model=classic mode=none "
      "tags=\"tags,site=north,lane=2,indoor=true,ratio=0.5\"");
  GstBuffer *out = gst_harness_push_and_pull (h, make_frame (0));

  fail_unless_equals_string (gst_buffer_get_saliency_meta (out)->tags,
      "{\"site\":\"north\",\"lane\":2,\"indoor\":true,\"ratio\":0.5}");
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Refused tags: starting fails with the reason; while playing, a warning
 * and the previous tags stay. */
GST_START_TEST (test_tags_refused)
{
  GstElement *pipeline = gst_parse_launch ("videotestsrc num-buffers=1 ! "
      "saliency model=classic tags=\"{site: north}\" ! fakesink", NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  GError *error = NULL;
  GstHarness *h;
  GstElement *saliency;
  GstBuffer *out;

  gst_element_set_state (pipeline, GST_STATE_PAUSED);
  msg = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no error for invalid tags");
  gst_message_parse_error (msg, &error, NULL);
  fail_unless (strstr (error->message, "is not valid JSON") != NULL,
      "%s", error->message);
  fail_unless (strstr (error->message, "{\"site\":\"north\"") != NULL,
      "%s does not show an example", error->message);
  g_error_free (error);
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);

  h = harness_new ("saliency model=classic mode=none tags=tags,a=1");
  saliency = find (h, "saliency");
  bus = gst_bus_new ();
  gst_element_set_bus (saliency, bus);
  gst_buffer_unref (gst_harness_push_and_pull (h, make_frame (0)));
  g_object_set (saliency, "tags", "[1, 2]", NULL);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
  fail_unless (msg != NULL, "no warning for tags refused while playing");
  gst_message_unref (msg);
  out = gst_harness_push_and_pull (h, make_frame (1));
  fail_unless_equals_string (gst_buffer_get_saliency_meta (out)->tags,
      "{\"a\":1}");
  gst_buffer_unref (out);
  gst_element_set_bus (saliency, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* One message per 90 ms of running time at most, each with the identity
 * and time of its frame. */
GST_START_TEST (test_message_interval)
{
  GstHarness *h = harness_new ("saliency model=classic mode=none "
      "post-messages=true message-interval=90000000 source-id=cam2");
  GstElement *saliency = find (h, "saliency");
  GstBus *bus = gst_bus_new ();
  guint64 frames[8];
  guint n = 0;
  GstMessage *msg;

  gst_element_set_bus (saliency, bus);
  for (guint i = 0; i < 10; i++)
    gst_buffer_unref (gst_harness_push_and_pull (h, make_frame (i)));
  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
    const GstStructure *s = gst_message_get_structure (msg);
    guint64 utc;

    if (gst_structure_has_name (s, "saliency")) {
      fail_unless (n < G_N_ELEMENTS (frames));
      fail_unless (gst_structure_get_uint64 (s, "frame", &frames[n]));
      fail_unless (gst_structure_get_uint64 (s, "utc", &utc));
      fail_unless (ABS ((gint64) utc - now_ns ()) < 60 * GST_SECOND);
      fail_unless_equals_string (gst_structure_get_string (s, "source-id"),
          "cam2");
      fail_unless_equals_string (gst_structure_get_string (s, "tags"), "{}");
      fail_unless (gst_structure_get_string (s, "time-source") != NULL);
      n++;
    }
    gst_message_unref (msg);
  }
  /* Frames at 0, 33, 67, 100, ... ms: 0, 3, 6 and 9. */
  fail_unless_equals_int (n, 4);
  for (guint i = 0; i < n; i++)
    fail_unless_equals_uint64 (frames[i], 3 * i);

  gst_element_set_bus (saliency, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* stats-interval: a message on the bus and the same structure downstream. */
GST_START_TEST (test_stats)
{
  GstHarness *h = harness_new ("saliency model=classic mode=none "
      "inference-interval=2 stats-interval=1");
  GstElement *saliency = find (h, "saliency");
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GstEvent *event;
  guint reports = 0, events = 0, total_frames = 0, total_maps = 0;

  gst_element_set_bus (saliency, bus);
  for (guint i = 0; i < 6; i++) {
    gst_buffer_unref (gst_harness_push_and_pull (h, make_frame (i)));
    /* The first frame starts the period; each later one ends one (the
     * report goes before its frame's buffer). */
    while ((event = gst_harness_try_pull_event (h))) {
      if (GST_EVENT_TYPE (event) == GST_EVENT_CUSTOM_DOWNSTREAM
          && gst_event_has_name (event, "saliency-stats"))
        events++;
      gst_event_unref (event);
    }
    fail_unless_equals_int (events, i);
  }

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
    const GstStructure *s = gst_message_get_structure (msg);
    guint frames, maps;
    gdouble share, fps;
    guint64 p50, p99, max;

    if (gst_structure_has_name (s, "saliency-stats")) {
      fail_unless (gst_structure_get (s, "frames", G_TYPE_UINT, &frames,
              "maps", G_TYPE_UINT, &maps, "reused-share", G_TYPE_DOUBLE,
              &share, "input-fps", G_TYPE_DOUBLE, &fps, "processing-p50",
              G_TYPE_UINT64, &p50, "processing-p99", G_TYPE_UINT64, &p99,
              "processing-max", G_TYPE_UINT64, &max, NULL));
      fail_unless_equals_float (share, 1.0 - (gdouble) maps / frames);
      fail_unless (fps > 0.0 && p50 <= p99 && p99 <= max);
      total_frames += frames;
      total_maps += maps;
      fail_unless_equals_string (gst_structure_get_string (s, "source-id"),
          "saliency0");
      reports++;
    }
    gst_message_unref (msg);
  }
  fail_unless_equals_int (reports, 5);
  fail_unless_equals_int (total_frames, 6);
  /* inference-interval 2: frames 0, 2 and 4 get maps. */
  fail_unless_equals_int (total_maps, 3);

  gst_element_set_bus (saliency, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

static JsonObject *
member_object (JsonObject * o, const gchar * name)
{
  fail_unless (json_object_has_member (o, name), "no %s", name);
  return json_object_get_object_member (o, name);
}

/* The record against the metas it comes from. */
GST_START_TEST (test_record)
{
  gchar *path = g_build_filename (g_get_tmp_dir (), "identity-record-XXXXXX",
      NULL);
  gint fd = g_mkstemp (path);
  gchar *launch = g_strdup_printf ("saliency model=classic mode=none "
      "source-id=cam3 max-rois=3 roi-threshold=0.3 ! "
      "saliencypublish location=%s grid=4x3", path);
  GstHarness *h;
  GstBuffer *out;
  GstSaliencyMeta *meta;
  JsonParser *parser = json_parser_new ();
  JsonObject *r, *peak, *grid;
  JsonArray *regions, *mass;
  GError *error = NULL;
  gdouble px, py, sum = 0.0, near;
  gpointer state = NULL;
  GstMeta *m;
  guint n = 0;

  close (fd);
  h = harness_new (launch);
  out = gst_harness_push_and_pull (h, make_frame (5));
  meta = gst_buffer_get_saliency_meta (out);
  gst_harness_teardown (h);     /* closes the file */

  fail_unless (json_parser_load_from_file (parser, path, &error), "%s",
      error ? error->message : "");
  r = json_node_get_object (json_parser_get_root (parser));
  fail_unless_equals_string (json_object_get_string_member (r, "source"),
      "cam3");
  fail_unless_equals_int (json_object_get_int_member (r, "frame"), 0);
  fail_unless_equals_uint64 (json_object_get_int_member (r, "pts"),
      5 * FRAME_DURATION);
  fail_unless_equals_int (json_object_get_int_member (r, "utc_us"),
      meta->utc / 1000);
  fail_unless_equals_int (json_object_get_int_member (r, "width"), WIDTH);
  fail_unless_equals_int (json_object_get_int_member (r, "height"), HEIGHT);

  gst_saliency_meta_get_peak (meta, &px, &py);
  peak = member_object (r, "peak");
  fail_unless_equals_int (json_object_get_int_member (peak, "x"),
      (gint) (px * WIDTH));
  fail_unless_equals_int (json_object_get_int_member (peak, "y"),
      (gint) (py * HEIGHT));
  fail_unless (fabs (json_object_get_double_member (peak, "value")
          - meta->max) <= 1e-5 * meta->max);

  regions = json_object_get_array_member (r, "regions");
  while ((m = gst_buffer_iterate_meta_filtered (out, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *) m;
    JsonObject *region = json_array_get_object_element (regions, roi->id);
    JsonObject *box = member_object (region, "box");
    JsonObject *nbox = member_object (region, "nbox");
    gdouble score;

    fail_unless_equals_int (json_object_get_int_member (box, "x"), roi->x);
    fail_unless_equals_int (json_object_get_int_member (box, "y"), roi->y);
    fail_unless_equals_int (json_object_get_int_member (box, "width"), roi->w);
    fail_unless_equals_int (json_object_get_int_member (box, "height"),
        roi->h);
    fail_unless (fabs (json_object_get_double_member (nbox, "width")
            - (gdouble) roi->w / WIDTH) < 1e-5);
    gst_structure_get_double (gst_video_region_of_interest_meta_get_param
        (roi, "roi/saliency"), "score", &score);
    fail_unless (fabs (json_object_get_double_member (region, "score")
            - score) < 1e-5);
    n++;
  }
  fail_unless (n >= 1);
  fail_unless_equals_int (json_array_get_length (regions), n);

  grid = member_object (r, "grid");
  mass = json_object_get_array_member (grid, "mass");
  fail_unless_equals_int (json_array_get_length (mass), 12);
  for (guint i = 0; i < 12; i++)
    sum += json_array_get_double_element (mass, i);
  fail_unless (fabs (sum - 1.0) < 1e-4, "grid sums to %f", sum);
  /* The square is in the top-left four cells (of 16x16 pixels): most
   * of the attention is there. */
  near = json_array_get_double_element (mass, 0)
      + json_array_get_double_element (mass, 1)
      + json_array_get_double_element (mass, 4)
      + json_array_get_double_element (mass, 5);
  GST_INFO ("%.3f of the mass in the square's cells", near);
  fail_unless (near > 0.5, "%.3f of the mass in the square's cells", near);

  gst_buffer_unref (out);
  g_object_unref (parser);
  g_unlink (path);
  g_free (launch);
  g_free (path);
}

GST_END_TEST;

static Suite *
identity_suite (void)
{
  Suite *s = suite_create ("live-identity");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_identity);
  tcase_add_test (tc, test_identity_defaults);
  tcase_add_test (tc, test_reference_time);
  tcase_add_test (tc, test_tags_structure);
  tcase_add_test (tc, test_tags_refused);
  tcase_add_test (tc, test_message_interval);
  tcase_add_test (tc, test_stats);
  tcase_add_test (tc, test_record);
  return s;
}

GST_CHECK_MAIN (identity);
