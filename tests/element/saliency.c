/* GStreamer unit tests for the saliency element
 *
 * The real element on the real engine (OpenCL): frames with a synthetic
 * salient blob go in through GstHarness, and the tests look at what comes
 * out: caps, pixels, metas, messages, errors.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <math.h>
#include <string.h>

#include "gstsaliencymeta.h"

#define WIDTH 64
#define HEIGHT 48
#define FRAME_DURATION (GST_SECOND / 30)

/* Where the blob of test frames is, as a fraction of the frame size: off
 * the centre, so that a centre prior would not find it. */
#define BLOB_X 0.72
#define BLOB_Y 0.32

static const GstVideoFormat formats[] = {
  GST_VIDEO_FORMAT_RGBx, GST_VIDEO_FORMAT_BGRx, GST_VIDEO_FORMAT_RGBA,
  GST_VIDEO_FORMAT_BGRA, GST_VIDEO_FORMAT_RGB, GST_VIDEO_FORMAT_BGR,
  GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_NV12, GST_VIDEO_FORMAT_GRAY8,
};

static const gchar *
test_model (void)
{
  const gchar *model = g_getenv ("SALIENCY_TEST_MODEL");

  return model ? model : "classic";
}

static GstHarness *
harness_new (const gchar * properties)
{
  gchar *launch = g_strdup_printf ("saliency model=%s %s", test_model (),
      properties ? properties : "");
  GstHarness *h = gst_harness_new_parse (launch);

  g_free (launch);
  gst_harness_play (h);
  return h;
}

/* The element itself: gst_harness_new_parse() wraps it in a bin. */
static GstElement *
element_of (GstHarness * h)
{
  GstElement *element = gst_harness_find_element (h, "saliency");

  fail_unless (element != NULL);
  /* The bin keeps it alive. */
  gst_object_unref (element);
  return element;
}

static void
set_caps (GstHarness * h, GstVideoFormat format, gint width, gint height)
{
  gchar *caps = g_strdup_printf ("video/x-raw,format=%s,width=%d,height=%d,"
      "framerate=30/1", gst_video_format_to_string (format), width, height);

  gst_harness_set_src_caps_str (h, caps);
  g_free (caps);
}

/* A dull gray frame with a saturated red disc centred at (bx, by), as
 * fractions of the size, in any format; timestamped as frame @n. The gray
 * has a checkerboard of +-@texture levels, what a blur takes away. */
static GstBuffer *
make_textured_frame (GstVideoFormat format, gint width, gint height,
    gdouble bx, gdouble by, guint n, gint texture)
{
  GstVideoInfo rgba_info, info;
  GstVideoFrame src, dst;
  GstVideoConverter *convert;
  GstBuffer *rgba, *buf;
  gdouble radius = MAX (1.5, MIN (width, height) / 8.0);

  gst_video_info_set_format (&rgba_info, GST_VIDEO_FORMAT_RGBA, width, height);
  gst_video_info_set_format (&info, format, width, height);

  rgba = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&rgba_info),
      NULL);
  fail_unless (gst_video_frame_map (&src, &rgba_info, rgba, GST_MAP_WRITE));
  for (gint y = 0; y < height; y++) {
    guint8 *p = GST_VIDEO_FRAME_PLANE_DATA (&src, 0)
        + y * GST_VIDEO_FRAME_PLANE_STRIDE (&src, 0);

    for (gint x = 0; x < width; x++, p += 4) {
      gdouble dx = x + 0.5 - bx * width, dy = y + 0.5 - by * height;
      gboolean inside = dx * dx + dy * dy <= radius * radius;
      gint gray = 112 + ((x + y) % 2 ? texture : -texture);

      p[0] = inside ? 235 : gray;
      p[1] = inside ? 30 : gray;
      p[2] = inside ? 20 : gray;
      p[3] = 255;
    }
  }

  buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&info), NULL);
  fail_unless (gst_video_frame_map (&dst, &info, buf, GST_MAP_WRITE));
  convert = gst_video_converter_new (&rgba_info, &info, NULL);
  gst_video_converter_frame (convert, &src, &dst);
  gst_video_converter_free (convert);
  gst_video_frame_unmap (&dst);
  gst_video_frame_unmap (&src);
  gst_buffer_unref (rgba);

  GST_BUFFER_PTS (buf) = n * FRAME_DURATION;
  GST_BUFFER_DURATION (buf) = FRAME_DURATION;
  return buf;
}

static GstBuffer *
make_frame (GstVideoFormat format, gint width, gint height, gdouble bx,
    gdouble by, guint n)
{
  return make_textured_frame (format, width, height, bx, by, n, 0);
}

static GstVideoInfo *
output_info (GstHarness * h)
{
  GstCaps *caps = gst_pad_get_current_caps (h->sinkpad);
  GstVideoInfo *info;

  fail_unless (caps != NULL);
  info = gst_video_info_new_from_caps (caps);
  fail_unless (info != NULL);
  gst_caps_unref (caps);
  return info;
}

/* Checks that @buf has a sane GstSaliencyMeta for a frame of @width x
 * @height: a map no larger than the frame, of the same aspect ratio. */
static GstSaliencyMeta *
check_meta (GstBuffer * buf, gint width, gint height)
{
  GstSaliencyMeta *meta = gst_buffer_get_saliency_meta (buf);
  gdouble sum = 0.0;
  gfloat max = 0.0f;
  gint mw, mh;

  fail_unless (meta != NULL, "no GstSaliencyMeta");
  fail_unless_equals_int (meta->frame_width, width);
  fail_unless_equals_int (meta->frame_height, height);
  mw = meta->width;
  mh = meta->height;
  fail_unless (mw >= 1 && mh >= 1 && mw <= width && mh <= height,
      "map %dx%d for a frame of %dx%d", mw, mh, width, height);
  /* The aspect ratio, to a sample. */
  fail_unless (abs (mw * height - mh * width) <= MAX (width, height),
      "map %dx%d for a frame of %dx%d", mw, mh, width, height);
  for (gint i = 0; i < mw * mh; i++) {
    fail_unless (meta->data[i] >= 0.0f && isfinite (meta->data[i]));
    sum += meta->data[i];
    max = MAX (max, meta->data[i]);
  }
  fail_unless (fabs (sum - 1.0) < 1e-3, "map sums to %f", sum);
  fail_unless_equals_float (meta->max, max);
  fail_unless_equals_float (meta->data[meta->peak_y * mw + meta->peak_x],
      max);
  fail_unless (meta->peak_x < (guint) mw && meta->peak_y < (guint) mh);
  return meta;
}

/* The frame pixel of the centre of the meta's peak sample. */
static void
peak_pixel (GstSaliencyMeta * meta, gint * x, gint * y)
{
  gdouble px, py;

  gst_saliency_meta_get_peak (meta, &px, &py);
  *x = (gint) (px * meta->frame_width);
  *y = (gint) (py * meta->frame_height);
}

static gboolean
peak_near_blob (GstSaliencyMeta * meta)
{
  gdouble px, py;

  gst_saliency_meta_get_peak (meta, &px, &py);
  GST_INFO ("peak at %.3f, %.3f; blob at %.3f, %.3f", px, py, BLOB_X, BLOB_Y);
  return fabs (px - BLOB_X) < 0.15 && fabs (py - BLOB_Y) < 0.15;
}

GST_START_TEST (test_formats_accepted)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++) {
    GstHarness *h = harness_new (NULL);
    GstBuffer *out;
    GstVideoInfo *info;

    set_caps (h, formats[i], WIDTH, HEIGHT);
    out = gst_harness_push_and_pull (h, make_frame (formats[i], WIDTH,
            HEIGHT, BLOB_X, BLOB_Y, 0));
    fail_unless (out != NULL, "no output for %s",
        gst_video_format_to_string (formats[i]));

    info = output_info (h);
    fail_unless_equals_int (GST_VIDEO_INFO_FORMAT (info), formats[i]);
    fail_unless_equals_int (GST_VIDEO_INFO_WIDTH (info), WIDTH);
    fail_unless_equals_int (GST_VIDEO_INFO_HEIGHT (info), HEIGHT);
    fail_unless_equals_int (gst_buffer_get_size (out),
        GST_VIDEO_INFO_SIZE (info));
    check_meta (out, WIDTH, HEIGHT);

    gst_video_info_free (info);
    gst_buffer_unref (out);
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

GST_START_TEST (test_formats_refused)
{
  const gchar *refused[] = {
    "video/x-raw,format=RGB16,width=64,height=48,framerate=30/1",
    "video/x-raw,format=YUY2,width=64,height=48,framerate=30/1",
    "video/x-raw(memory:GLMemory),format=RGBA,width=64,height=48,"
        "framerate=30/1",
    "audio/x-raw,format=S16LE,rate=48000,channels=2,layout=interleaved",
  };
  GstElement *element = gst_element_factory_make ("saliency", NULL);
  GstPad *sinkpad = gst_element_get_static_pad (element, "sink");

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++) {
    GstCaps *caps = gst_caps_from_string (refused[i]);

    fail_if (gst_pad_query_accept_caps (sinkpad, caps), "accepted %s",
        refused[i]);
    gst_caps_unref (caps);
  }
  gst_object_unref (sinkpad);
  gst_object_unref (element);

  /* And in a stream: the buffer is not negotiated. */
  {
    GstHarness *h = harness_new (NULL);
    GstBuffer *buf = gst_buffer_new_allocate (NULL, WIDTH * HEIGHT * 2, NULL);

    gst_harness_set_src_caps_str (h, refused[0]);
    fail_unless_equals_int (gst_harness_push (h, buf),
        GST_FLOW_NOT_NEGOTIATED);
    fail_unless_equals_int (gst_harness_buffers_received (h), 0);
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

/* Map mode: GRAY8 of the frame size, brightest at the blob, the map
 * interpolated at each pixel. */
static void
check_mode_map (GstVideoFormat format, gint width, gint height)
{
  GstHarness *h = harness_new ("mode=map");
  GstBuffer *out;
  GstVideoInfo *info;
  GstVideoFrame frame;
  GstSaliencyMeta *meta;
  gint best = -1, bx = 0, by = 0;

  set_caps (h, format, width, height);
  out = gst_harness_push_and_pull (h, make_frame (format, width, height,
          BLOB_X, BLOB_Y, 0));
  fail_unless (out != NULL);

  info = output_info (h);
  fail_unless_equals_int (GST_VIDEO_INFO_FORMAT (info),
      GST_VIDEO_FORMAT_GRAY8);
  fail_unless_equals_int (GST_VIDEO_INFO_WIDTH (info), width);
  fail_unless_equals_int (GST_VIDEO_INFO_HEIGHT (info), height);
  fail_unless_equals_int (GST_VIDEO_INFO_FPS_N (info), 30);

  meta = check_meta (out, width, height);
  fail_unless (gst_video_frame_map (&frame, info, out, GST_MAP_READ));
  for (gint y = 0; y < height; y++) {
    const guint8 *row = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame,
        0) + y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0);

    for (gint x = 0; x < width; x++) {
      gfloat expected = gst_saliency_meta_sample (meta, x, y) * 255.0f;

      /* Quantised at the map's size, then interpolated in 1/256. */
      fail_unless (fabsf (row[x] - expected) <= 1.5f,
          "%s %dx%d: level %d at %d,%d, map says %f",
          gst_video_format_to_string (format), width, height, row[x], x, y,
          expected);
      if (row[x] > best) {
        best = row[x];
        bx = x;
        by = y;
      }
    }
  }
  gst_video_frame_unmap (&frame);

  fail_unless (best >= 254);
  fail_unless (fabs ((bx + 0.5) / width - BLOB_X) < 0.15
      && fabs ((by + 0.5) / height - BLOB_Y) < 0.15,
      "%s: brightest pixel at %d,%d, the blob is at %d,%d",
      gst_video_format_to_string (format), bx, by,
      (gint) (BLOB_X * width), (gint) (BLOB_Y * height));
  fail_unless (peak_near_blob (meta));

  gst_video_info_free (info);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_START_TEST (test_mode_map)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    check_mode_map (formats[i], WIDTH, HEIGHT);
  /* Larger than the model's resolution: the map is upsampled. */
  check_mode_map (GST_VIDEO_FORMAT_I420, 640, 360);
  check_mode_map (GST_VIDEO_FORMAT_BGRx, 501, 733);
}

GST_END_TEST;

GST_START_TEST (test_mode_overlay)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++) {
    GstHarness *h = harness_new ("mode=overlay alpha=0.5 colormap=jet");
    GstBuffer *in = make_frame (formats[i], WIDTH, HEIGHT, BLOB_X, BLOB_Y, 0);
    GstBuffer *orig = gst_buffer_copy_deep (in), *out;
    GstVideoInfo *info;
    GstVideoFrame a, b;
    GstSaliencyMeta *meta;
    gint changed_at_peak = 0;

    set_caps (h, formats[i], WIDTH, HEIGHT);
    out = gst_harness_push_and_pull (h, in);
    info = output_info (h);
    fail_unless_equals_int (GST_VIDEO_INFO_FORMAT (info), formats[i]);
    fail_unless_equals_int (GST_VIDEO_INFO_WIDTH (info), WIDTH);
    fail_unless_equals_int (GST_VIDEO_INFO_HEIGHT (info), HEIGHT);
    meta = check_meta (out, WIDTH, HEIGHT);

    /* Where the map peaks, jet is dark red: the pixel moved towards it. */
    fail_unless (gst_video_frame_map (&a, info, orig, GST_MAP_READ));
    fail_unless (gst_video_frame_map (&b, info, out, GST_MAP_READ));
    for (guint c = 0; c < GST_VIDEO_FRAME_N_COMPONENTS (&a) && c < 3; c++) {
      const GstVideoFormatInfo *f = a.info.finfo;
      gint x, y;

      peak_pixel (meta, &x, &y);
      x >>= GST_VIDEO_FORMAT_INFO_W_SUB (f, c);
      y >>= GST_VIDEO_FORMAT_INFO_H_SUB (f, c);
      const guint8 *pa = (const guint8 *) GST_VIDEO_FRAME_COMP_DATA (&a, c)
          + y * GST_VIDEO_FRAME_COMP_STRIDE (&a, c)
          + x * GST_VIDEO_FRAME_COMP_PSTRIDE (&a, c);
      const guint8 *pb = (const guint8 *) GST_VIDEO_FRAME_COMP_DATA (&b, c)
          + y * GST_VIDEO_FRAME_COMP_STRIDE (&b, c)
          + x * GST_VIDEO_FRAME_COMP_PSTRIDE (&b, c);

      changed_at_peak += abs (*pa - *pb);
    }
    fail_unless (changed_at_peak > 10, "%s: the peak pixel did not change",
        gst_video_format_to_string (formats[i]));
    gst_video_frame_unmap (&b);
    gst_video_frame_unmap (&a);

    gst_video_info_free (info);
    gst_buffer_unref (orig);
    gst_buffer_unref (out);
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

/* alpha 1 with the gray colormap draws the map itself into RGB. */
static void
check_overlay_gray_is_map (gint width, gint height)
{
  GstHarness *h = harness_new ("alpha=1 colormap=gray");
  GstBuffer *out;
  GstSaliencyMeta *meta;
  GstVideoFrame frame;
  GstVideoInfo *info;

  set_caps (h, GST_VIDEO_FORMAT_RGBA, width, height);
  out = gst_harness_push_and_pull (h, make_frame (GST_VIDEO_FORMAT_RGBA,
          width, height, BLOB_X, BLOB_Y, 0));
  meta = check_meta (out, width, height);
  info = output_info (h);
  fail_unless (gst_video_frame_map (&frame, info, out, GST_MAP_READ));
  for (gint y = 0; y < height; y++) {
    const guint8 *p = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0)
        + y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0);

    for (gint x = 0; x < width; x++, p += 4) {
      gfloat level = gst_saliency_meta_sample (meta, x, y) * 255.0f;

      fail_unless (fabsf (p[0] - level) <= 1.5f && p[0] == p[1]
          && p[1] == p[2], "pixel %d,%d is %d,%d,%d, the map %f", x, y,
          p[0], p[1], p[2], level);
      fail_unless_equals_int (p[3], 255);
    }
  }
  gst_video_frame_unmap (&frame);
  gst_video_info_free (info);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_START_TEST (test_overlay_gray_is_map)
{
  check_overlay_gray_is_map (WIDTH, HEIGHT);
  check_overlay_gray_is_map (640, 360);
}

GST_END_TEST;

GST_START_TEST (test_mode_none)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++) {
    GstHarness *h = harness_new ("mode=none");
    GstBuffer *in = make_frame (formats[i], WIDTH, HEIGHT, BLOB_X, BLOB_Y, 0);
    GstBuffer *orig = gst_buffer_copy_deep (in), *out;
    GstMapInfo a, b;

    set_caps (h, formats[i], WIDTH, HEIGHT);
    out = gst_harness_push_and_pull (h, in);
    check_meta (out, WIDTH, HEIGHT);
    fail_unless (gst_buffer_map (orig, &a, GST_MAP_READ));
    fail_unless (gst_buffer_map (out, &b, GST_MAP_READ));
    fail_unless_equals_int (a.size, b.size);
    fail_unless (memcmp (a.data, b.data, a.size) == 0,
        "%s: mode=none changed the picture",
        gst_video_format_to_string (formats[i]));
    gst_buffer_unmap (out, &b);
    gst_buffer_unmap (orig, &a);

    gst_buffer_unref (orig);
    gst_buffer_unref (out);
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

/* A frame that is also held elsewhere (a tee): overlay draws into a copy
 * and leaves the other holder's picture alone; none copies no pixels. */
GST_START_TEST (test_shared_input)
{
  GstHarness *h = harness_new ("mode=overlay alpha=1");
  GstBuffer *in = make_frame (GST_VIDEO_FORMAT_RGBx, WIDTH, HEIGHT, BLOB_X,
      BLOB_Y, 0);
  GstBuffer *orig = gst_buffer_copy_deep (in), *out;
  GstMapInfo a, b;

  set_caps (h, GST_VIDEO_FORMAT_RGBx, WIDTH, HEIGHT);
  out = gst_harness_push_and_pull (h, gst_buffer_ref (in));
  fail_unless (out != in);
  fail_unless (gst_buffer_get_saliency_meta (out) != NULL);
  fail_unless (gst_buffer_get_saliency_meta (in) == NULL);
  fail_unless (gst_buffer_map (orig, &a, GST_MAP_READ));
  fail_unless (gst_buffer_map (in, &b, GST_MAP_READ));
  fail_unless (memcmp (a.data, b.data, a.size) == 0);
  gst_buffer_unmap (in, &b);
  gst_buffer_unmap (orig, &a);
  gst_buffer_unref (out);

  gst_util_set_object_arg (G_OBJECT (element_of (h)), "mode", "none");
  out = gst_harness_push_and_pull (h, gst_buffer_ref (in));
  fail_unless (gst_buffer_get_saliency_meta (out) != NULL);
  fail_unless (gst_buffer_get_saliency_meta (in) == NULL);
  fail_unless (gst_buffer_peek_memory (out, 0) ==
      gst_buffer_peek_memory (in, 0));

  gst_buffer_unref (orig);
  gst_buffer_unref (in);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_meta_every_buffer)
{
  GstHarness *h = harness_new (NULL);
  GstSaliencyMeta *meta;
  GstBuffer *out, *copy;
  GBytes *bytes;

  set_caps (h, GST_VIDEO_FORMAT_I420, WIDTH, HEIGHT);
  for (guint n = 0; n < 5; n++) {
    out = gst_harness_push_and_pull (h, make_frame (GST_VIDEO_FORMAT_I420,
            WIDTH, HEIGHT, BLOB_X, BLOB_Y, n));
    meta = check_meta (out, WIDTH, HEIGHT);
    fail_unless (peak_near_blob (meta));
    fail_unless_equals_float (gst_saliency_meta_sample (meta,
            BLOB_X * WIDTH, BLOB_Y * HEIGHT) > 0.5f, TRUE);

    /* Copies of the buffer share the map. */
    copy = gst_buffer_copy (out);
    fail_unless (gst_buffer_get_saliency_meta (copy)->data == meta->data);
    bytes = gst_saliency_meta_get_bytes (meta);
    fail_unless_equals_int (g_bytes_get_size (bytes),
        meta->width * meta->height * sizeof (gfloat));
    g_bytes_unref (bytes);
    gst_buffer_unref (copy);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

static guint
count_rois (GstBuffer * buf, GstSaliencyMeta * meta, gint width, gint height)
{
  GQuark saliency = g_quark_from_static_string ("saliency");
  GstVideoRegionOfInterestMeta *roi;
  gpointer state = NULL;
  gdouble last_score = 2.0;
  guint n = 0;

  while ((roi = (GstVideoRegionOfInterestMeta *)
          gst_buffer_iterate_meta_filtered (buf, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    GstStructure *s;
    gdouble score, mass;
    gint delta_qp;

    fail_unless_equals_int (roi->roi_type, saliency);
    fail_unless (roi->w > 0 && roi->h > 0);
    fail_unless (roi->x + roi->w <= (guint) width);
    fail_unless (roi->y + roi->h <= (guint) height);

    s = gst_video_region_of_interest_meta_get_param (roi, "roi/saliency");
    fail_unless (s != NULL);
    fail_unless (gst_structure_get (s, "score", G_TYPE_DOUBLE, &score,
            "mass", G_TYPE_DOUBLE, &mass, "delta-qp", G_TYPE_INT, &delta_qp,
            NULL));
    fail_unless (score > 0.0 && score <= 1.0 && score <= last_score);
    fail_unless (mass > 0.0 && mass <= 1.0 + 1e-3);
    fail_unless (delta_qp <= 0 && delta_qp >= -10);
    fail_unless (gst_video_region_of_interest_meta_get_param (roi,
            "roi/vaapi") != NULL);
    fail_unless (gst_video_region_of_interest_meta_get_param (roi,
            "roi/msdk") != NULL);

    /* The strongest region holds the peak. */
    if (n == 0) {
      gint px, py;

      peak_pixel (meta, &px, &py);
      fail_unless_equals_float (score, 1.0);
      fail_unless (px >= (gint) roi->x && px < (gint) (roi->x + roi->w));
      fail_unless (py >= (gint) roi->y && py < (gint) (roi->y + roi->h));
    }
    last_score = score;
    n++;
  }
  return n;
}

GST_START_TEST (test_rois)
{
  struct
  {
    const gchar *properties;
    guint min, max;
  } cases[] = {
    {NULL, 1, 4},
    {"max-rois=1", 1, 1},
    {"max-rois=0", 0, 0},
    {"max-rois=64 roi-threshold=0", 1, 1},      /* the whole frame */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    GstHarness *h = harness_new (cases[i].properties);
    GstBuffer *out;
    guint n;

    set_caps (h, GST_VIDEO_FORMAT_NV12, WIDTH, HEIGHT);
    out = gst_harness_push_and_pull (h, make_frame (GST_VIDEO_FORMAT_NV12,
            WIDTH, HEIGHT, BLOB_X, BLOB_Y, 0));
    n = count_rois (out, check_meta (out, WIDTH, HEIGHT), WIDTH, HEIGHT);
    fail_unless (n >= cases[i].min && n <= cases[i].max,
        "%s: %u ROIs", cases[i].properties, n);
    gst_buffer_unref (out);
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

GST_START_TEST (test_messages)
{
  GstHarness *h = harness_new ("post-messages=true mode=none");
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;

  gst_element_set_bus (element_of (h), bus);
  set_caps (h, GST_VIDEO_FORMAT_BGRx, WIDTH, HEIGHT);

  for (guint n = 0; n < 3; n++) {
    GstBuffer *out = gst_harness_push_and_pull (h,
        make_frame (GST_VIDEO_FORMAT_BGRx, WIDTH, HEIGHT, BLOB_X, BLOB_Y, n));
    GstSaliencyMeta *meta = check_meta (out, WIDTH, HEIGHT);
    const GstStructure *s;
    const GValue *regions;
    guint64 timestamp;
    gint peak_x, peak_y, width, height;
    gdouble max, mean;
    gboolean reused;

    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT);
    fail_unless (msg != NULL, "no message for frame %u", n);
    fail_unless (GST_MESSAGE_SRC (msg) == GST_OBJECT (element_of (h)));
    s = gst_message_get_structure (msg);
    fail_unless (gst_structure_has_name (s, "saliency"));
    fail_unless (gst_structure_get (s,
            "timestamp", G_TYPE_UINT64, &timestamp,
            "width", G_TYPE_INT, &width, "height", G_TYPE_INT, &height,
            "peak-x", G_TYPE_INT, &peak_x, "peak-y", G_TYPE_INT, &peak_y,
            "max", G_TYPE_DOUBLE, &max, "mean", G_TYPE_DOUBLE, &mean,
            "reused", G_TYPE_BOOLEAN, &reused, NULL));
    fail_unless_equals_uint64 (timestamp, n * FRAME_DURATION);
    fail_unless_equals_int (width, WIDTH);
    fail_unless_equals_int (height, HEIGHT);
    {
      gint px, py;

      peak_pixel (meta, &px, &py);
      fail_unless_equals_int (peak_x, px);
      fail_unless_equals_int (peak_y, py);
    }
    fail_unless (fabs (max - meta->max) < 1e-9);
    fail_unless (mean > 0.0 && mean <= 1.0);
    fail_if (reused);

    regions = gst_structure_get_value (s, "regions");
    fail_unless (regions != NULL && GST_VALUE_HOLDS_ARRAY (regions));
    fail_unless_equals_int (gst_value_array_get_size (regions),
        count_rois (out, meta, WIDTH, HEIGHT));
    fail_unless (gst_value_array_get_size (regions) >= 1);
    {
      const GstStructure *r =
          gst_value_get_structure (gst_value_array_get_value (regions, 0));
      gint x, y, w, hh;

      fail_unless (gst_structure_get (r, "x", G_TYPE_INT, &x,
              "y", G_TYPE_INT, &y, "width", G_TYPE_INT, &w,
              "height", G_TYPE_INT, &hh, NULL));
      fail_unless (peak_x >= x && peak_x < x + w);
      fail_unless (peak_y >= y && peak_y < y + hh);
    }

    gst_message_unref (msg);
    gst_buffer_unref (out);
  }

  /* Off by default. */
  g_object_set (element_of (h), "post-messages", FALSE, NULL);
  gst_buffer_unref (gst_harness_push_and_pull (h,
          make_frame (GST_VIDEO_FORMAT_BGRx, WIDTH, HEIGHT, BLOB_X, BLOB_Y,
              3)));
  fail_unless (gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT) == NULL);

  gst_element_set_bus (element_of (h), NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

typedef enum
{
  HISTORY_KEPT,
  HISTORY_FLUSH,
  HISTORY_DISCONT,
  HISTORY_GAP,
} History;

/* A seek's events: flush, then a new segment. */
static void
push_flush (GstHarness * h)
{
  GstSegment segment;

  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));
}

/* The map of a reference frame pushed after @n_before moving frames and,
 * in between, what @history says. */
static GstBuffer *
map_after_history (const gchar * properties, guint n_before,
    History history)
{
  GstHarness *h = harness_new (properties);
  GstBuffer *buf, *out;
  guint n = 0;

  set_caps (h, GST_VIDEO_FORMAT_RGB, WIDTH, HEIGHT);
  for (; n < n_before; n++) {
    buf = make_frame (GST_VIDEO_FORMAT_RGB, WIDTH, HEIGHT,
        0.15 + 0.1 * (n % 4), 0.8 - 0.1 * (n % 3), n);
    gst_buffer_unref (gst_harness_push_and_pull (h, buf));
  }
  if (history == HISTORY_FLUSH)
    push_flush (h);
  buf = make_frame (GST_VIDEO_FORMAT_RGB, WIDTH, HEIGHT, BLOB_X, BLOB_Y,
      history == HISTORY_GAP ? n + 60 : n);
  if (history == HISTORY_DISCONT)
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
  out = gst_harness_push_and_pull (h, buf);
  gst_harness_teardown (h);
  return out;
}

static gdouble
map_difference (GstBuffer * a, GstBuffer * b)
{
  GstSaliencyMeta *ma = check_meta (a, WIDTH, HEIGHT);
  GstSaliencyMeta *mb = check_meta (b, WIDTH, HEIGHT);
  gdouble diff = 0.0;

  for (gint i = 0; i < WIDTH * HEIGHT; i++)
    diff += fabs (ma->data[i] - mb->data[i]);
  return diff;
}

/* After a flush, a discontinuity or a jump in time, the map is that of a
 * fresh start. */
GST_START_TEST (test_reset)
{
  GstBuffer *fresh = map_after_history ("mode=none", 0, HISTORY_KEPT);
  GstBuffer *history = map_after_history ("mode=none", 6, HISTORY_KEPT);
  const struct
  {
    History history;
    const gchar *name;
  } resets[] = {
    {HISTORY_FLUSH, "flush"},
    {HISTORY_DISCONT, "discont"},
    {HISTORY_GAP, "2 s gap"},
  };

  /* The history changes the map: the test tests something. */
  GST_INFO ("with history, the map differs by %g",
      map_difference (fresh, history));
  if (g_str_equal (test_model (), "classic"))
    fail_unless (map_difference (fresh, history) > 0.01,
        "the classic model is temporal: history should change the map");

  for (guint i = 0; i < G_N_ELEMENTS (resets); i++) {
    GstBuffer *reset = map_after_history ("mode=none", 6,
        resets[i].history);

    fail_unless (map_difference (fresh, reset) < 1e-4,
        "%s: maps differ by %g", resets[i].name,
        map_difference (fresh, reset));
    gst_buffer_unref (reset);
  }

  gst_buffer_unref (history);
  gst_buffer_unref (fresh);
}

GST_END_TEST;

/* Mean absolute difference of component 0 (R, Y or gray) of two frames
 * of @format over the pixels within @radius of (cx, cy), or, with a
 * negative @radius, farther than -@radius from it. */
static gdouble
component_difference (GstVideoFormat format, GstBuffer * a, GstBuffer * b,
    gdouble cx, gdouble cy, gdouble radius)
{
  GstVideoInfo info;
  GstVideoFrame fa, fb;
  gdouble sum = 0.0;
  guint n = 0;

  gst_video_info_set_format (&info, format, WIDTH, HEIGHT);
  fail_unless (gst_video_frame_map (&fa, &info, a, GST_MAP_READ));
  fail_unless (gst_video_frame_map (&fb, &info, b, GST_MAP_READ));
  for (gint y = 0; y < HEIGHT; y++)
    for (gint x = 0; x < WIDTH; x++) {
      gdouble d = hypot (x + 0.5 - cx, y + 0.5 - cy);
      gsize off = y * GST_VIDEO_FRAME_COMP_STRIDE (&fa, 0)
          + x * GST_VIDEO_FRAME_COMP_PSTRIDE (&fa, 0);

      if (radius >= 0 ? d > radius : d <= -radius)
        continue;
      sum += abs (GST_VIDEO_FRAME_COMP_DATA (&fa, 0)[off]
          - GST_VIDEO_FRAME_COMP_DATA (&fb, 0)[off]);
      n++;
    }
  gst_video_frame_unmap (&fb);
  gst_video_frame_unmap (&fa);
  fail_unless (n > 0);
  return sum / n;
}

/* Mean absolute difference of the bytes of two buffers of one size. */
static gdouble
bytes_difference (GstBuffer * a, GstBuffer * b)
{
  GstMapInfo ma, mb;
  gdouble sum = 0.0;

  fail_unless (gst_buffer_map (a, &ma, GST_MAP_READ));
  fail_unless (gst_buffer_map (b, &mb, GST_MAP_READ));
  fail_unless_equals_int (ma.size, mb.size);
  for (gsize i = 0; i < ma.size; i++)
    sum += abs (ma.data[i] - mb.data[i]);
  gst_buffer_unmap (b, &mb);
  gst_buffer_unmap (a, &ma);
  return sum / ma.size;
}

/* mode=prefilter in every format: every frame comes out with its metas,
 * the salient disc stays sharp and the textured background is blurred;
 * strength 0 changes nothing. */
GST_START_TEST (test_mode_prefilter)
{
  const gdouble cx = BLOB_X * WIDTH, cy = BLOB_Y * HEIGHT;

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++) {
    const gchar *name = gst_video_format_to_string (formats[i]);
    GstHarness *h = harness_new ("mode=prefilter prefilter-strength=4");
    GstBuffer *in = NULL, *out = NULL;
    gdouble near, far;

    set_caps (h, formats[i], WIDTH, HEIGHT);
    for (guint n = 0; n < 4; n++) {
      g_clear_pointer (&in, gst_buffer_unref);
      g_clear_pointer (&out, gst_buffer_unref);
      in = make_textured_frame (formats[i], WIDTH, HEIGHT, BLOB_X, BLOB_Y,
          n, 24);
      out = gst_harness_push_and_pull (h, gst_buffer_copy_deep (in));
      fail_unless (out != NULL, "%s: frame %u did not come out", name, n);
      check_meta (out, WIDTH, HEIGHT);
    }
    fail_unless_equals_int (gst_harness_buffers_received (h), 4);
    near = component_difference (formats[i], in, out, cx, cy, 4.0);
    far = component_difference (formats[i], in, out, cx, cy, -20.0);
    GST_INFO ("%s: changed by %.2f levels at the disc, %.2f far from it",
        name, near, far);
    fail_unless (far > 8.0, "%s: the background was not blurred (%.2f)",
        name, far);
    fail_unless (near < far / 4, "%s: the disc changed by %.2f, the "
        "background by %.2f", name, near, far);

    /* Strength 0, while playing: bit-exact. */
    g_object_set (element_of (h), "prefilter-strength", 0.0, NULL);
    gst_buffer_unref (out);
    out = gst_harness_push_and_pull (h, gst_buffer_copy_deep (in));
    fail_unless (bytes_difference (in, out) == 0.0,
        "%s: strength 0 changed the picture", name);
    gst_buffer_unref (out);
    gst_buffer_unref (in);
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

/* The output of mode=prefilter for a textured reference frame after
 * @n_before frames with the disc elsewhere, with or without a flush
 * between. */
static GstBuffer *
prefilter_after (guint n_before, gboolean flush)
{
  GstHarness *h = harness_new ("mode=prefilter prefilter-strength=4");
  GstBuffer *out;
  guint n = 0;

  set_caps (h, GST_VIDEO_FORMAT_I420, WIDTH, HEIGHT);
  for (; n < n_before; n++)
    gst_buffer_unref (gst_harness_push_and_pull (h,
            make_textured_frame (GST_VIDEO_FORMAT_I420, WIDTH, HEIGHT, 0.2,
                0.75, n, 24)));
  if (flush)
    push_flush (h);
  out = gst_harness_push_and_pull (h, make_textured_frame
      (GST_VIDEO_FORMAT_I420, WIDTH, HEIGHT, BLOB_X, BLOB_Y, n, 24));
  gst_harness_teardown (h);
  return out;
}

/* The pre-filter's smoothing over time starts again at a flush (a seek):
 * the frame after it is filtered as at a fresh start. */
GST_START_TEST (test_prefilter_reset)
{
  GstBuffer *fresh = prefilter_after (0, FALSE);
  GstBuffer *kept = prefilter_after (6, FALSE);
  GstBuffer *flushed = prefilter_after (6, TRUE);
  gdouble history = bytes_difference (fresh, kept);
  gdouble reset = bytes_difference (fresh, flushed);

  GST_INFO ("the history changes the output by %.3f levels, after a flush "
      "by %.3f", history, reset);
  /* The history matters: the test tests something. */
  fail_unless (history > 0.05, "history changed the output by %.3f only",
      history);
  fail_unless (reset == 0.0, "after a flush the output differs by %.3f "
      "levels from a fresh start", reset);
  gst_buffer_unref (flushed);
  gst_buffer_unref (kept);
  gst_buffer_unref (fresh);
}

GST_END_TEST;

/* still=true: every frame is independent, whatever came before. */
GST_START_TEST (test_still)
{
  GstBuffer *fresh = map_after_history ("mode=none still=true", 0,
      HISTORY_KEPT);
  GstBuffer *history = map_after_history ("mode=none still=true", 6,
      HISTORY_KEPT);

  fail_unless (map_difference (fresh, history) < 1e-4,
      "still mode: history changed the map by %g",
      map_difference (fresh, history));
  gst_buffer_unref (history);
  gst_buffer_unref (fresh);
}

GST_END_TEST;

GST_START_TEST (test_caps_change)
{
  const gchar *modes[] = { "mode=overlay", "mode=map", "mode=none" };

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++) {
    GstHarness *h = harness_new (modes[m]);
    struct
    {
      GstVideoFormat format;
      gint width, height;
    } steps[] = {
      {GST_VIDEO_FORMAT_RGBx, 64, 48},
      {GST_VIDEO_FORMAT_RGBx, 32, 24},
      {GST_VIDEO_FORMAT_I420, 96, 40},
      {GST_VIDEO_FORMAT_GRAY8, 33, 17},
      {GST_VIDEO_FORMAT_RGBx, 64, 48},
    };
    guint n = 0;

    for (guint i = 0; i < G_N_ELEMENTS (steps); i++) {
      set_caps (h, steps[i].format, steps[i].width, steps[i].height);
      for (guint k = 0; k < 2; k++, n++) {
        GstBuffer *out = gst_harness_push_and_pull (h,
            make_frame (steps[i].format, steps[i].width, steps[i].height,
                BLOB_X, BLOB_Y, n));
        GstVideoInfo *info = output_info (h);

        fail_unless_equals_int (GST_VIDEO_INFO_WIDTH (info), steps[i].width);
        fail_unless_equals_int (GST_VIDEO_INFO_HEIGHT (info),
            steps[i].height);
        fail_unless_equals_int (GST_VIDEO_INFO_FORMAT (info), m == 1
            ? GST_VIDEO_FORMAT_GRAY8 : steps[i].format);
        fail_unless_equals_int (gst_buffer_get_size (out),
            GST_VIDEO_INFO_SIZE (info));
        check_meta (out, steps[i].width, steps[i].height);
        gst_video_info_free (info);
        gst_buffer_unref (out);
      }
    }
    fail_unless_equals_int (gst_harness_buffers_received (h), n);
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

GST_START_TEST (test_odd_sizes)
{
  const gint sizes[][2] = { {1, 1}, {33, 17}, {2, 1}, {1, 3} };
  const gchar *modes[] = { "mode=overlay", "mode=map" };

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++) {
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++) {
      for (guint i = 0; i < G_N_ELEMENTS (formats); i++) {
        GstHarness *h = harness_new (modes[m]);
        gint w = sizes[s][0], ht = sizes[s][1];
        GstBuffer *out;
        GstVideoInfo *info;

        set_caps (h, formats[i], w, ht);
        out = gst_harness_push_and_pull (h, make_frame (formats[i], w, ht,
                0.5, 0.5, 0));
        fail_unless (out != NULL);
        info = output_info (h);
        fail_unless_equals_int (GST_VIDEO_INFO_WIDTH (info), w);
        fail_unless_equals_int (GST_VIDEO_INFO_HEIGHT (info), ht);
        fail_unless_equals_int (gst_buffer_get_size (out),
            GST_VIDEO_INFO_SIZE (info));
        check_meta (out, w, ht);
        count_rois (out, gst_buffer_get_saliency_meta (out), w, ht);
        gst_video_info_free (info);
        gst_buffer_unref (out);
        gst_harness_teardown (h);
      }
    }
  }
}

GST_END_TEST;

/* Going to PAUSED fails with an error that names the problem. */
static void
check_fails_to_start (const gchar * property, const gchar * value,
    GQuark domain, gint code, const gchar * expected_text)
{
  GstElement *element = gst_element_factory_make ("saliency", NULL);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GError *error = NULL;

  gst_element_set_bus (element, bus);
  g_object_set (element, property, value, NULL);
  fail_unless_equals_int (gst_element_set_state (element, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);

  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no error message for %s=%s", property, value);
  gst_message_parse_error (msg, &error, NULL);
  GST_INFO ("%s=%s: %s", property, value, error->message);
  fail_unless (g_error_matches (error, domain, code), "error %s %d: %s",
      g_quark_to_string (error->domain), error->code, error->message);
  fail_unless (strstr (error->message, expected_text) != NULL,
      "\"%s\" does not mention \"%s\"", error->message, expected_text);

  g_error_free (error);
  gst_message_unref (msg);
  gst_element_set_state (element, GST_STATE_NULL);
  gst_element_set_bus (element, NULL);
  gst_object_unref (bus);
  gst_object_unref (element);
}

GST_START_TEST (test_bad_model)
{
  check_fails_to_start ("model", "no-such-model", GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_NOT_FOUND, "no-such-model");
  check_fails_to_start ("model", "/nonexistent/model.safetensors",
      GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND, "model.safetensors");
}

GST_END_TEST;

GST_START_TEST (test_bad_net_size)
{
  check_fails_to_start ("net-size", "abc", GST_LIBRARY_ERROR,
      GST_LIBRARY_ERROR_SETTINGS, "HEIGHTxWIDTH");
}

GST_END_TEST;

GST_START_TEST (test_bad_device)
{
  check_fails_to_start ("device", "99", GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_NOT_FOUND, "99");
}

GST_END_TEST;

/* Model and device stay as they were while the element runs. */
GST_START_TEST (test_model_only_in_ready)
{
  GstHarness *h = harness_new (NULL);
  gchar *model;

  g_object_set (element_of (h), "model", "other", "device", "gpu", NULL);
  g_object_get (element_of (h), "model", &model, NULL);
  fail_unless_equals_string (model, test_model ());
  g_free (model);
  g_object_get (element_of (h), "device", &model, NULL);
  fail_unless_equals_string (model, "auto");
  g_free (model);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_no_drops)
{
  const gchar *modes[] = { "mode=overlay", "mode=map", "mode=none" };

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++) {
    GstHarness *h = harness_new (modes[m]);

    set_caps (h, GST_VIDEO_FORMAT_NV12, WIDTH, HEIGHT);
    for (guint n = 0; n < 12; n++)
      fail_unless_equals_int (gst_harness_push (h,
              make_frame (GST_VIDEO_FORMAT_NV12, WIDTH, HEIGHT,
                  0.2 + 0.05 * n, 0.5, n)), GST_FLOW_OK);
    fail_unless_equals_int (gst_harness_buffers_received (h), 12);
    for (guint n = 0; n < 12; n++) {
      GstBuffer *out = gst_harness_pull (h);

      fail_unless_equals_uint64 (GST_BUFFER_PTS (out), n * FRAME_DURATION);
      check_meta (out, WIDTH, HEIGHT);
      gst_buffer_unref (out);
    }
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

/* Late frames (QoS) keep their place in the stream but reuse the map. */
GST_START_TEST (test_qos_reuses_map)
{
  gboolean qos[] = { TRUE, FALSE };

  for (guint q = 0; q < G_N_ELEMENTS (qos); q++) {
    GstHarness *h = harness_new (qos[q] ? "qos=true" : "qos=false");
    GstBuffer *first_out, *late, *on_time;
    const gfloat *first_map;

    set_caps (h, GST_VIDEO_FORMAT_RGBx, WIDTH, HEIGHT);
    first_out = gst_harness_push_and_pull (h, make_frame (GST_VIDEO_FORMAT_RGBx,
            WIDTH, HEIGHT, BLOB_X, BLOB_Y, 0));
    first_map = check_meta (first_out, WIDTH, HEIGHT)->data;

    /* Downstream: everything before 1 s will be late. */
    fail_unless (gst_harness_push_upstream_event (h,
            gst_event_new_qos (GST_QOS_TYPE_UNDERFLOW, 2.0, GST_SECOND, 0)));

    for (guint n = 1; n < 4; n++) {
      late = gst_harness_push_and_pull (h, make_frame (GST_VIDEO_FORMAT_RGBx,
              WIDTH, HEIGHT, 0.2, 0.7, n));
      fail_unless (late != NULL);
      fail_unless_equals_uint64 (GST_BUFFER_PTS (late), n * FRAME_DURATION);
      fail_unless_equals_int (check_meta (late, WIDTH, HEIGHT)->data
          == first_map, qos[q]);
      fail_unless_equals_int (gst_buffer_get_saliency_meta (late)->flags,
          qos[q] ? GST_SALIENCY_META_FLAG_REUSED : 0);
      fail_unless_equals_int (gst_buffer_get_saliency_meta (late)->age,
          qos[q] ? n : 0);
      gst_buffer_unref (late);
    }

    on_time = gst_harness_push_and_pull (h, make_frame (GST_VIDEO_FORMAT_RGBx,
            WIDTH, HEIGHT, 0.2, 0.7, 60));
    fail_if (check_meta (on_time, WIDTH, HEIGHT)->data == first_map);
    fail_unless_equals_int (gst_harness_buffers_received (h), 5);

    gst_buffer_unref (on_time);
    gst_buffer_unref (first_out);
    gst_harness_teardown (h);
  }
}

GST_END_TEST;

/* Frames larger than the model's resolution: the meta holds the map at
 * that resolution with the frame's aspect ratio, and every position given
 * out (meta helpers, ROIs, messages) is in frame pixels. */
GST_START_TEST (test_map_resolution)
{
  GstHarness *h = harness_new ("post-messages=true mode=none");
  GstBus *bus = gst_bus_new ();
  GstBuffer *out;
  GstSaliencyMeta *meta;
  GstMessage *msg;
  const GstStructure *s;
  gint width, height, map_width, map_height, peak_x, peak_y, px, py;

  gst_element_set_bus (element_of (h), bus);
  set_caps (h, GST_VIDEO_FORMAT_NV12, 1280, 720);
  out = gst_harness_push_and_pull (h, make_frame (GST_VIDEO_FORMAT_NV12,
          1280, 720, BLOB_X, BLOB_Y, 0));
  meta = check_meta (out, 1280, 720);
  fail_unless (meta->width < 1280 && meta->height < 720,
      "the map is %ux%u", meta->width, meta->height);
  fail_unless (peak_near_blob (meta));

  /* Sampling: exact on sample centres, in [0, 1], 0 outside the frame. */
  {
    gdouble sx = 1280.0 / meta->width, sy = 720.0 / meta->height;
    gdouble cx = (meta->peak_x + 0.5) * sx - 0.5;
    gdouble cy = (meta->peak_y + 0.5) * sy - 0.5;

    fail_unless (fabsf (gst_saliency_meta_sample (meta, cx, cy) - 1.0f)
        < 1e-5);
    fail_unless (fabsf (gst_saliency_meta_sample (meta, 0.5 * sx - 0.5,
                0.5 * sy - 0.5) - meta->data[0] / meta->max) < 1e-5);
    for (gint y = 0; y < 720; y += 37)
      for (gint x = 0; x < 1280; x += 41) {
        gfloat v = gst_saliency_meta_sample (meta, x, y);

        fail_unless (v >= 0.0f && v <= 1.0f);
      }
    fail_unless_equals_float (gst_saliency_meta_sample (meta, -1.0, 10), 0);
    fail_unless_equals_float (gst_saliency_meta_sample (meta, 10, 720), 0);
  }

  fail_unless (count_rois (out, meta, 1280, 720) >= 1);

  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT);
  fail_unless (msg != NULL);
  s = gst_message_get_structure (msg);
  fail_unless (gst_structure_get (s,
          "width", G_TYPE_INT, &width, "height", G_TYPE_INT, &height,
          "map-width", G_TYPE_INT, &map_width,
          "map-height", G_TYPE_INT, &map_height,
          "peak-x", G_TYPE_INT, &peak_x, "peak-y", G_TYPE_INT, &peak_y,
          NULL));
  fail_unless_equals_int (width, 1280);
  fail_unless_equals_int (height, 720);
  fail_unless_equals_int (map_width, meta->width);
  fail_unless_equals_int (map_height, meta->height);
  peak_pixel (meta, &px, &py);
  fail_unless_equals_int (peak_x, px);
  fail_unless_equals_int (peak_y, py);
  gst_message_unref (msg);

  gst_buffer_unref (out);
  gst_element_set_bus (element_of (h), NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* Scaling the buffer keeps the map and updates the frame size; copying a
 * region drops the meta. */
GST_START_TEST (test_meta_transform)
{
  GstHarness *h = harness_new ("mode=none");
  GstBuffer *out, *scaled, *part;
  GstSaliencyMeta *meta, *smeta;
  GstVideoInfo in_info, out_info;
  GstVideoMetaTransform trans = { &in_info, &out_info };

  set_caps (h, GST_VIDEO_FORMAT_I420, 320, 180);
  out = gst_harness_push_and_pull (h, make_frame (GST_VIDEO_FORMAT_I420,
          320, 180, BLOB_X, BLOB_Y, 0));
  meta = check_meta (out, 320, 180);

  gst_video_info_set_format (&in_info, GST_VIDEO_FORMAT_I420, 320, 180);
  gst_video_info_set_format (&out_info, GST_VIDEO_FORMAT_I420, 640, 360);
  scaled = gst_buffer_new ();
  fail_unless (meta->meta.info->transform_func (scaled, &meta->meta, out,
          gst_video_meta_transform_scale_get_quark (), &trans));
  smeta = check_meta (scaled, 640, 360);
  fail_unless (smeta->data == meta->data);
  fail_unless_equals_int (smeta->width, meta->width);
  fail_unless (fabsf (gst_saliency_meta_sample (smeta, 2 * 100 + 0.5,
              2 * 50 + 0.5) - gst_saliency_meta_sample (meta, 100, 50))
      < 1e-5);

  part = gst_buffer_copy_region (out, GST_BUFFER_COPY_METADATA, 0, 10);
  fail_unless (gst_buffer_get_saliency_meta (part) == NULL);

  gst_buffer_unref (part);
  gst_buffer_unref (scaled);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* inference-interval N: a new map for one frame in N, the latest one for
 * the others, marked in metas and messages; changeable while playing. */
GST_START_TEST (test_inference_interval)
{
  GstHarness *h = harness_new ("inference-interval=3 post-messages=true");
  GstBus *bus = gst_bus_new ();
  const gfloat *maps[8];
  GstBuffer *outs[8];
  guint n;

  gst_element_set_bus (element_of (h), bus);
  set_caps (h, GST_VIDEO_FORMAT_I420, WIDTH, HEIGHT);

  for (n = 0; n < 8; n++) {
    GstSaliencyMeta *meta;
    GstMessage *msg;
    gboolean reused, interval;
    guint age;

    if (n == 6)
      g_object_set (element_of (h), "inference-interval", 1, NULL);
    outs[n] = gst_harness_push_and_pull (h,
        make_frame (GST_VIDEO_FORMAT_I420, WIDTH, HEIGHT, BLOB_X, BLOB_Y, n));
    meta = check_meta (outs[n], WIDTH, HEIGHT);
    maps[n] = meta->data;

    /* Frames 0, 3: new maps; 1, 2, 4, 5: reused; 6, 7: interval 1. */
    if (n < 6 && n % 3 != 0) {
      fail_unless (maps[n] == maps[n - 1], "frame %u has a new map", n);
      fail_unless_equals_int (meta->flags, GST_SALIENCY_META_FLAG_REUSED
          | GST_SALIENCY_META_FLAG_INTERVAL);
      fail_unless_equals_int (meta->age, n % 3);
    } else {
      fail_unless (n == 0 || maps[n] != maps[n - 1], "frame %u reuses", n);
      fail_unless_equals_int (meta->flags, 0);
      fail_unless_equals_int (meta->age, 0);
    }

    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT);
    fail_unless (msg != NULL);
    fail_unless (gst_structure_get (gst_message_get_structure (msg),
            "reused", G_TYPE_BOOLEAN, &reused,
            "interval", G_TYPE_BOOLEAN, &interval,
            "age", G_TYPE_UINT, &age, NULL));
    fail_unless_equals_int (reused, meta->flags != 0);
    fail_unless_equals_int (interval, meta->flags != 0);
    fail_unless_equals_int (age, meta->age);
    gst_message_unref (msg);
  }
  fail_unless_equals_int (gst_harness_buffers_received (h), 8);

  for (n = 0; n < 8; n++)
    gst_buffer_unref (outs[n]);
  gst_element_set_bus (element_of (h), NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_latency)
{
  GstHarness *h = harness_new ("latency=5000000");
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;

  set_caps (h, GST_VIDEO_FORMAT_RGBx, WIDTH, HEIGHT);
  fail_unless_equals_uint64 (gst_harness_query_latency (h), 5 * GST_MSECOND);

  /* Automatic: the slowest frame, announced in live pipelines. */
  g_object_set (element_of (h), "latency", (gint64) - 1, NULL);
  fail_unless_equals_uint64 (gst_harness_query_latency (h), 0);
  gst_element_set_bus (element_of (h), bus);
  for (guint n = 0; n < 3; n++)
    gst_buffer_unref (gst_harness_push_and_pull (h,
            make_frame (GST_VIDEO_FORMAT_RGBx, WIDTH, HEIGHT, BLOB_X, BLOB_Y,
                n)));
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_LATENCY);
  fail_unless (msg != NULL);
  gst_message_unref (msg);
  fail_unless (gst_harness_query_latency (h) >= GST_MSECOND);

  gst_element_set_bus (element_of (h), NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* overlay -> map -> none -> map -> overlay while playing. */
GST_START_TEST (test_mode_switch_playing)
{
  GstHarness *h = harness_new (NULL);
  const struct
  {
    const gchar *mode;
    GstVideoFormat out;
  } steps[] = {
    {"overlay", GST_VIDEO_FORMAT_BGRA},
    {"map", GST_VIDEO_FORMAT_GRAY8},
    {"none", GST_VIDEO_FORMAT_BGRA},
    {"map", GST_VIDEO_FORMAT_GRAY8},
    {"overlay", GST_VIDEO_FORMAT_BGRA},
  };
  guint n = 0;

  set_caps (h, GST_VIDEO_FORMAT_BGRA, WIDTH, HEIGHT);
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++) {
    gst_util_set_object_arg (G_OBJECT (element_of (h)), "mode", steps[i].mode);
    for (guint k = 0; k < 2; k++, n++) {
      GstBuffer *out = gst_harness_push_and_pull (h,
          make_frame (GST_VIDEO_FORMAT_BGRA, WIDTH, HEIGHT, BLOB_X, BLOB_Y,
              n));
      GstVideoInfo *info = output_info (h);

      fail_unless_equals_int (GST_VIDEO_INFO_FORMAT (info), steps[i].out);
      fail_unless_equals_int (GST_VIDEO_INFO_WIDTH (info), WIDTH);
      fail_unless_equals_int (gst_buffer_get_size (out),
          GST_VIDEO_INFO_SIZE (info));
      check_meta (out, WIDTH, HEIGHT);
      gst_video_info_free (info);
      gst_buffer_unref (out);
    }
  }
  fail_unless_equals_int (gst_harness_buffers_received (h), n);
  gst_harness_teardown (h);
}

GST_END_TEST;

static Suite *
saliency_suite (void)
{
  Suite *s = suite_create ("saliency");
  TCase *tc = tcase_create ("general");

  /* The first engine of a run may build the OpenCL kernels. */
  tcase_set_timeout (tc, 300);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_formats_accepted);
  tcase_add_test (tc, test_formats_refused);
  tcase_add_test (tc, test_mode_map);
  tcase_add_test (tc, test_mode_overlay);
  tcase_add_test (tc, test_overlay_gray_is_map);
  tcase_add_test (tc, test_mode_none);
  tcase_add_test (tc, test_mode_prefilter);
  tcase_add_test (tc, test_prefilter_reset);
  tcase_add_test (tc, test_shared_input);
  tcase_add_test (tc, test_meta_every_buffer);
  tcase_add_test (tc, test_rois);
  tcase_add_test (tc, test_messages);
  tcase_add_test (tc, test_reset);
  tcase_add_test (tc, test_caps_change);
  tcase_add_test (tc, test_odd_sizes);
  tcase_add_test (tc, test_bad_model);
  tcase_add_test (tc, test_bad_device);
  tcase_add_test (tc, test_bad_net_size);
  tcase_add_test (tc, test_still);
  tcase_add_test (tc, test_model_only_in_ready);
  tcase_add_test (tc, test_no_drops);
  tcase_add_test (tc, test_qos_reuses_map);
  tcase_add_test (tc, test_map_resolution);
  tcase_add_test (tc, test_meta_transform);
  tcase_add_test (tc, test_inference_interval);
  tcase_add_test (tc, test_latency);
  tcase_add_test (tc, test_mode_switch_playing);

  return s;
}

GST_CHECK_MAIN (saliency);
