/* Issue 13: elements that come and go beside running ones.
 *
 * Three saliency elements run live while a fourth pipeline is set to
 * PLAYING and back to NULL 50 times in the same process. Nothing may abort
 * or post an error, and every element's maps (mode=map output, frame by
 * frame) must equal what the same pipeline gives when it runs alone: the
 * elements share the OpenCL context and programs but not their state. */
#include <gst/gst.h>
#include <string.h>

#define N_STEADY 3
#define CYCLES 50
#define CYCLE_FRAMES 3
#define STEADY_FRAMES 40
#define WAIT_US (60 * G_USEC_PER_SEC)

typedef struct
{
  GstElement *pipeline;
  GArray *sums;                 /* guint64 per output frame */
  GMutex lock;
  GCond cond;
} Stream;

static guint64
fnv1a (const guint8 * p, gsize n)
{
  guint64 h = 1469598103934665603ull;
  for (gsize i = 0; i < n; i++)
    h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

static void
on_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad, Stream * s)
{
  GstMapInfo map;
  guint64 h;

  g_assert_true (gst_buffer_map (buf, &map, GST_MAP_READ));
  h = fnv1a (map.data, map.size);
  gst_buffer_unmap (buf, &map);
  g_mutex_lock (&s->lock);
  g_array_append_val (s->sums, h);
  g_cond_broadcast (&s->cond);
  g_mutex_unlock (&s->lock);
}

static void
stream_init (Stream * s, const char *pattern, gboolean live, int frames)
{
  GError *err = NULL;
  char *desc = g_strdup_printf ("videotestsrc pattern=%s is-live=%s "
      "num-buffers=%d ! video/x-raw,format=I420,width=320,height=180,"
      "framerate=30/1 ! saliency mode=map qos=false ! "
      "fakesink name=sink sync=false signal-handoffs=true", pattern,
      live ? "true" : "false", frames);
  GstElement *sink;

  s->pipeline = gst_parse_launch (desc, &err);
  g_assert_no_error (err);
  g_free (desc);
  s->sums = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_mutex_init (&s->lock);
  g_cond_init (&s->cond);
  sink = gst_bin_get_by_name (GST_BIN (s->pipeline), "sink");
  g_signal_connect (sink, "handoff", G_CALLBACK (on_handoff), s);
  gst_object_unref (sink);
}

static void
stream_clear (Stream * s)
{
  gst_object_unref (s->pipeline);
  g_array_unref (s->sums);
  g_mutex_clear (&s->lock);
  g_cond_clear (&s->cond);
}

/* Fails on any error the pipeline posted. */
static void
check_bus (Stream * s)
{
  GstBus *bus = gst_element_get_bus (s->pipeline);
  GstMessage *msg;

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR))) {
    GError *err = NULL;
    gst_message_parse_error (msg, &err, NULL);
    g_error ("pipeline error: %s", err->message);
  }
  gst_object_unref (bus);
}

/* Waits until the stream has output n frames. */
static void
wait_frames (Stream * s, guint n)
{
  gint64 end = g_get_monotonic_time () + WAIT_US;

  g_mutex_lock (&s->lock);
  while (s->sums->len < n)
    if (!g_cond_wait_until (&s->cond, &s->lock, end))
      g_error ("timed out with %u of %u frames", s->sums->len, n);
  g_mutex_unlock (&s->lock);
  check_bus (s);
}

/* Runs one pipeline to n frames, then stops it, returning its sums. */
static GArray *
run_alone (const char *pattern, gboolean live, int n)
{
  Stream s;
  GArray *sums;

  stream_init (&s, pattern, live, n);
  g_assert_cmpint (gst_element_set_state (s.pipeline, GST_STATE_PLAYING), !=,
      GST_STATE_CHANGE_FAILURE);
  wait_frames (&s, n);
  gst_element_set_state (s.pipeline, GST_STATE_NULL);
  sums = g_array_ref (s.sums);
  stream_clear (&s);
  return sums;
}

static void
assert_same (GArray * got, GArray * want, guint n, const char *what)
{
  g_assert_cmpuint (got->len, >=, n);
  for (guint i = 0; i < n; i++)
    if (g_array_index (got, guint64, i) != g_array_index (want, guint64, i))
      g_error ("%s: frame %u differs from the same pipeline alone", what, i);
}

int
main (int argc, char **argv)
{
  static const char *steady_patterns[N_STEADY] = { "ball", "smpte", "bar" };
  GArray *steady_ref[N_STEADY], *cycle_ref;
  Stream steady[N_STEADY];

  gst_init (&argc, &argv);

  /* What each pipeline gives alone. */
  for (int i = 0; i < N_STEADY; i++)
    steady_ref[i] = run_alone (steady_patterns[i], TRUE, STEADY_FRAMES);
  cycle_ref = run_alone ("zone-plate", FALSE, CYCLE_FRAMES);

  for (int i = 0; i < N_STEADY; i++) {
    stream_init (&steady[i], steady_patterns[i], TRUE, -1);
    g_assert_cmpint (gst_element_set_state (steady[i].pipeline,
            GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
  }
  for (int i = 0; i < N_STEADY; i++)
    wait_frames (&steady[i], 1);

  for (int c = 0; c < CYCLES; c++) {
    GArray *sums = run_alone ("zone-plate", FALSE, CYCLE_FRAMES);
    char *what = g_strdup_printf ("start %d of the cycling element", c + 1);

    assert_same (sums, cycle_ref, CYCLE_FRAMES, what);
    g_array_unref (sums);
    g_free (what);
    for (int i = 0; i < N_STEADY; i++)
      check_bus (&steady[i]);
  }

  for (int i = 0; i < N_STEADY; i++) {
    wait_frames (&steady[i], STEADY_FRAMES);
    gst_element_set_state (steady[i].pipeline, GST_STATE_NULL);
    assert_same (steady[i].sums, steady_ref[i], STEADY_FRAMES,
        steady_patterns[i]);
    g_print ("ok: %s: %u frames equal to the pipeline alone\n",
        steady_patterns[i], STEADY_FRAMES);
    stream_clear (&steady[i]);
    g_array_unref (steady_ref[i]);
  }
  g_array_unref (cycle_ref);
  g_print ("ok: %d starts and stops beside %d running elements\n", CYCLES,
      N_STEADY);
  gst_deinit ();
  return 0;
}
