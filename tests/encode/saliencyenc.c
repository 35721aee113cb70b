/* GstHarness tests of saliencyenc behind the saliency element (the real
 * plugin, engine and libx264): what happens to offsets that the encoder's
 * settings would make it ignore. */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <string.h>

#define W 64
#define H 48
#define FRAME_BYTES (W * H * 3 / 2)

/* TRUE if a warning on the bus mentions words (and drains the bus). */
static gboolean
bus_has_warning (GstBus * bus, const char *words)
{
  GstMessage *m;
  gboolean found = FALSE;

  while ((m = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING))) {
    GError *err = NULL;
    gchar *dbg = NULL;

    gst_message_parse_warning (m, &err, &dbg);
    if (strstr (err->message, words) || (dbg && strstr (dbg, words)))
      found = TRUE;
    g_error_free (err);
    g_free (dbg);
    gst_message_unref (m);
  }
  return found;
}

/* Encodes 8 frames, raising roi-strength from 0 to 1 at the fourth, and
 * returns whether saliencyenc warned that the offsets are ignored. */
static gboolean
raise_strength_while_playing (const char *settings, guint * n_out)
{
  gchar *launch = g_strdup_printf ("saliency mode=none ! saliencyenc "
      "roi-strength=0 %s", settings);
  GstHarness *h = gst_harness_new_parse (launch);
  GstElement *enc = gst_harness_find_element (h, "saliencyenc");
  GstBus *bus = gst_bus_new ();
  gboolean warned;

  gst_element_set_bus (h->element, bus);
  gst_harness_set_src_caps_str (h, "video/x-raw,format=I420,width=64,"
      "height=48,framerate=30/1");
  for (int i = 0; i < 8; i++) {
    GstBuffer *b = gst_harness_create_buffer (h, FRAME_BYTES);

    if (i == 3)
      g_object_set (enc, "roi-strength", 1.0, NULL);
    /* A bright square that moves: something for the map to find. */
    gst_buffer_memset (b, 0, 16, FRAME_BYTES);
    for (int y = 10; y < 26; y++)
      gst_buffer_memset (b, y * W + 4 * i, 235, 16);
    GST_BUFFER_PTS (b) = gst_util_uint64_scale (i, GST_SECOND, 30);
    GST_BUFFER_DURATION (b) = GST_SECOND / 30;
    fail_unless_equals_int (gst_harness_push (h, b), GST_FLOW_OK);
  }
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  *n_out = gst_harness_buffers_received (h);
  warned = bus_has_warning (bus, "ignores saliency offsets");

  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_object_unref (enc);
  gst_harness_teardown (h);
  g_free (launch);
  return warned;
}

/* ultrafast turns x264's AQ off: accepted at strength 0, then a warning,
 * not a silent loss, when the strength rises. Every frame still comes out
 * (H.264 byte-stream, one buffer per frame). */
GST_START_TEST (test_raised_with_aq_off)
{
  guint n;

  fail_unless (raise_strength_while_playing ("preset=ultrafast", &n));
  fail_unless_equals_int (n, 8);
  fail_unless (raise_strength_while_playing ("option-string=aq-mode=0", &n));
  fail_unless_equals_int (n, 8);
}

GST_END_TEST;

/* With AQ on, the raised strength is applied, and nothing warns. */
GST_START_TEST (test_raised_with_aq_on)
{
  guint n;

  fail_if (raise_strength_while_playing ("preset=superfast", &n));
  fail_unless_equals_int (n, 8);
}

GST_END_TEST;

static Suite *
saliencyenc_suite (void)
{
  Suite *s = suite_create ("saliencyenc");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_raised_with_aq_off);
  tcase_add_test (tc, test_raised_with_aq_on);
  return s;
}

GST_CHECK_MAIN (saliencyenc);
