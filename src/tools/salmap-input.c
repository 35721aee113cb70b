/* Frame source over video files, image files and folders; see
 * salmap-input.h. */
#include "salmap-input.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>

#include "salmap.h"

/* What a folder contributes: files with these extensions (any case). A
 * closed list rather than "anything libav can open", so that a stray
 * notes.txt or a fixation .mat next to the frames is not taken as one. */
static const char *const image_extensions[] = {
  "png", "jpg", "jpeg", "jpe", "bmp", "tif", "tiff", "webp", "ppm", "pgm",
  "pnm", "pam", "tga", "qoi", NULL
};

struct _SalmapInput
{
  GPtrArray *paths;             /* char *, folders expanded */
  guint next_path;
  int n_frames;                 /* estimate for progress; -1 unknown */
  int n_out;                    /* frames handed out so far */

  /* The file being read; ic == NULL between files. */
  const char *path;
  char *name;                   /* image basename without extension */
  gboolean is_image;
  AVFormatContext *ic;
  AVCodecContext *dec;
  int stream;
  gboolean draining;            /* NULL packet sent to the decoder */
  int file_frames;              /* frames decoded from this file */

  AVPacket *pkt;
  AVFrame *frame;               /* as decoded */
  AVFrame *rgb;                 /* converted, when the engine cannot read frame */
  struct SwsContext *sws;
};

static gboolean
has_image_extension (const char *filename)
{
  const char *dot = strrchr (filename, '.');

  if (dot == NULL)
    return FALSE;
  for (int i = 0; image_extensions[i] != NULL; i++)
    if (g_ascii_strcasecmp (dot + 1, image_extensions[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Compares names with digit runs as numbers, so that frame2.png sorts
 * before frame10.png whether or not the names are zero-padded, and
 * independently of the locale (g_utf8_collate_key_for_filename is not). */
static int
compare_names_natural (const char *a, const char *b)
{
  while (*a != '\0' && *b != '\0') {
    if (g_ascii_isdigit (*a) && g_ascii_isdigit (*b)) {
      const char *da, *db;
      size_t la, lb;
      int c;

      while (*a == '0' && g_ascii_isdigit (a[1]))
        a++;
      while (*b == '0' && g_ascii_isdigit (b[1]))
        b++;
      for (da = a; g_ascii_isdigit (*da); da++);
      for (db = b; g_ascii_isdigit (*db); db++);
      la = da - a;
      lb = db - b;
      if (la != lb)
        return la < lb ? -1 : 1;
      c = strncmp (a, b, la);
      if (c != 0)
        return c;
      a = da;
      b = db;
    } else {
      if (*a != *b)
        return (guchar) * a < (guchar) * b ? -1 : 1;
      a++;
      b++;
    }
  }
  return (guchar) * a - (guchar) * b;
}

static int
compare_paths (gconstpointer pa, gconstpointer pb)
{
  const char *a = *(const char *const *) pa;
  const char *b = *(const char *const *) pb;
  int c = compare_names_natural (a, b);

  /* "1.png" and "01.png" compare equal above: keep a total order. */
  return c != 0 ? c : strcmp (a, b);
}

static gboolean
add_folder (GPtrArray * paths, const char *folder, GError ** error)
{
  GDir *dir = g_dir_open (folder, 0, error);
  GPtrArray *found;
  const char *entry;

  if (dir == NULL)
    return FALSE;
  found = g_ptr_array_new ();
  while ((entry = g_dir_read_name (dir)) != NULL) {
    if (entry[0] == '.' || !has_image_extension (entry))
      continue;
    g_ptr_array_add (found, g_build_filename (folder, entry, NULL));
  }
  g_dir_close (dir);

  if (found->len == 0) {
    g_set_error (error, SALMAP_ERROR, SALMAP_ERROR_INPUT,
        "%s: no image files in folder (looked for .png, .jpg, ...)", folder);
    g_ptr_array_free (found, TRUE);
    return FALSE;
  }
  g_ptr_array_sort (found, compare_paths);
  g_ptr_array_extend_and_steal (paths, found);
  return TRUE;
}

SalmapInput *
salmap_input_new (const char *const *paths, GError ** error)
{
  SalmapInput *input = g_new0 (SalmapInput, 1);

  input->paths = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; paths[i] != NULL; i++) {
    GStatBuf st;

    /* Checked up front so that a typo in the tenth name fails before
     * minutes of work on the first nine. */
    if (g_stat (paths[i], &st) != 0) {
      int saved = errno;

      g_set_error (error, SALMAP_ERROR, SALMAP_ERROR_INPUT, "%s: %s",
          paths[i], g_strerror (saved));
      goto fail;
    }
    if (S_ISDIR (st.st_mode)) {
      if (!add_folder (input->paths, paths[i], error))
        goto fail;
    } else {
      g_ptr_array_add (input->paths, g_strdup (paths[i]));
    }
  }
  if (input->paths->len == 0) {
    g_set_error_literal (error, SALMAP_ERROR, SALMAP_ERROR_INPUT,
        "no input given");
    goto fail;
  }
  input->n_frames = input->paths->len;
  input->stream = -1;
  input->pkt = av_packet_alloc ();
  input->frame = av_frame_alloc ();
  input->rgb = av_frame_alloc ();
  if (input->pkt == NULL || input->frame == NULL || input->rgb == NULL)
    g_error ("out of memory");
  return input;

fail:
  g_ptr_array_free (input->paths, TRUE);
  g_free (input);
  return NULL;
}

static void
close_file (SalmapInput * input)
{
  avcodec_free_context (&input->dec);
  avformat_close_input (&input->ic);
  g_clear_pointer (&input->name, g_free);
  input->path = NULL;
  input->stream = -1;
  input->draining = FALSE;
  input->file_frames = 0;
}

void
salmap_input_free (SalmapInput * input)
{
  if (input == NULL)
    return;
  close_file (input);
  av_packet_free (&input->pkt);
  av_frame_free (&input->frame);
  av_frame_free (&input->rgb);
  sws_freeContext (input->sws);
  g_ptr_array_free (input->paths, TRUE);
  g_free (input);
}

/* Image files come out of libavformat through image2 or one of the
 * <codec>_pipe demuxers (png_pipe, jpeg_pipe, ...). */
static gboolean
demuxer_is_image (const AVInputFormat * fmt)
{
  return strcmp (fmt->name, "image2") == 0
      || g_str_has_suffix (fmt->name, "_pipe");
}

static int
estimate_frames (const AVFormatContext * ic, const AVStream * st)
{
  if (st->nb_frames > 0 && st->nb_frames < G_MAXINT)
    return (int) st->nb_frames;
  if (ic->duration > 0 && st->avg_frame_rate.num > 0
      && st->avg_frame_rate.den > 0)
    return (int) llrint (ic->duration / (double) AV_TIME_BASE
        * av_q2d (st->avg_frame_rate));
  return -1;
}

static gboolean
open_file (SalmapInput * input, const char *path, GError ** error)
{
  AVDictionary *opts = NULL;
  const AVCodec *codec = NULL;
  AVStream *st;
  char *url;
  int ret, hint;

  input->path = path;
  /* The "file:" protocol takes the name literally: without it a name with
   * a colon reads as a protocol ("clip:1.mp4"), and image2 reads %d, * or ?
   * in a name as a sequence pattern unless pattern_type is none. */
  url = g_strconcat ("file:", path, NULL);
  av_dict_set (&opts, "pattern_type", "none", 0);
  ret = avformat_open_input (&input->ic, url, NULL, &opts);
  av_dict_free (&opts);
  g_free (url);
  if (ret < 0) {
    salmap_set_av_error (error, SALMAP_ERROR_INPUT, ret, "%s", path);
    return FALSE;
  }
  ret = avformat_find_stream_info (input->ic, NULL);
  if (ret < 0) {
    salmap_set_av_error (error, SALMAP_ERROR_INPUT, ret, "%s", path);
    return FALSE;
  }
  ret = av_find_best_stream (input->ic, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  if (ret < 0) {
    salmap_set_av_error (error, SALMAP_ERROR_INPUT, ret, "%s: %s", path,
        ret == AVERROR_DECODER_NOT_FOUND ? "no decoder for the video stream"
        : "no video stream");
    return FALSE;
  }
  input->stream = ret;
  st = input->ic->streams[ret];
  /* Audio and subtitle packets are never needed: let the demuxer skip
   * them rather than read and drop them. */
  for (unsigned i = 0; i < input->ic->nb_streams; i++)
    if ((int) i != input->stream)
      input->ic->streams[i]->discard = AVDISCARD_ALL;

  input->is_image = demuxer_is_image (input->ic->iformat);
  input->dec = avcodec_alloc_context3 (codec);
  if (input->dec == NULL)
    g_error ("out of memory");
  ret = avcodec_parameters_to_context (input->dec, st->codecpar);
  if (ret >= 0) {
    input->dec->pkt_timebase = st->time_base;
    /* Videos: auto threads; decoding competes with the engine for the
     * CPU, but idle cores while the engine waits on the device would be
     * worse. One image: frame threads have nothing to overlap, and
     * starting them for each file of a long list costs. */
    input->dec->thread_count = input->is_image ? 1 : 0;
    ret = avcodec_open2 (input->dec, codec, NULL);
  }
  if (ret < 0) {
    salmap_set_av_error (error, SALMAP_ERROR_INPUT, ret,
        "%s: cannot open %s decoder", path, codec->name);
    return FALSE;
  }

  if (input->is_image) {
    char *base = g_path_get_basename (path);
    char *dot = strrchr (base, '.');

    if (dot != NULL && dot != base)
      *dot = '\0';
    input->name = base;
  } else {
    /* The estimate counted this file as one frame; the container knows
     * better. Unknown anywhere makes the total unknown. */
    hint = estimate_frames (input->ic, st);
    if (hint < 0 || input->n_frames < 0)
      input->n_frames = -1;
    else
      input->n_frames += hint - 1;
  }
  return TRUE;
}

static SalPixelFormat
engine_format (const AVFrame * f)
{
  for (int i = 0; i < 3; i++)
    if (f->linesize[i] < 0)
      return SAL_FORMAT_UNKNOWN;

  switch (f->format) {
    case AV_PIX_FMT_YUV420P:
      /* The engine reads I420/NV12 as BT.601 video range (as videoconvert
       * does for SD). Full range (JPEG's) would lose contrast: swscale
       * converts it. BT.709 passes as it is: the hue shift is small next
       * to the cost of converting every HD frame on the CPU. */
      return f->color_range == AVCOL_RANGE_JPEG ? SAL_FORMAT_UNKNOWN
          : SAL_FORMAT_I420;
    case AV_PIX_FMT_NV12:
      return f->color_range == AVCOL_RANGE_JPEG ? SAL_FORMAT_UNKNOWN
          : SAL_FORMAT_NV12;
    case AV_PIX_FMT_GRAY8:
      return SAL_FORMAT_GRAY8;
    case AV_PIX_FMT_RGB24:
      return SAL_FORMAT_RGB;
    case AV_PIX_FMT_BGR24:
      return SAL_FORMAT_BGR;
    case AV_PIX_FMT_RGBA:
      return SAL_FORMAT_RGBA;
    case AV_PIX_FMT_BGRA:
      return SAL_FORMAT_BGRA;
    case AV_PIX_FMT_RGB0:
      return SAL_FORMAT_RGBx;
    case AV_PIX_FMT_BGR0:
      return SAL_FORMAT_BGRx;
    default:
      return SAL_FORMAT_UNKNOWN;
  }
}

void
salmap_sws_set_colorspace (struct SwsContext *sws, const AVFrame * f,
    gboolean dst_full_range)
{
  /* The frame's own colour description; swscale otherwise assumes BT.601
   * video range for every YUV input (the yuvj formats aside), and a cached
   * context keeps the range of the last frame it was made for. */
  int src_range = f->color_range == AVCOL_RANGE_JPEG
      || f->format == AV_PIX_FMT_YUVJ420P || f->format == AV_PIX_FMT_YUVJ422P
      || f->format == AV_PIX_FMT_YUVJ444P || f->format == AV_PIX_FMT_YUVJ440P
      || f->format == AV_PIX_FMT_YUVJ411P;

  sws_setColorspaceDetails (sws,
      sws_getCoefficients (f->colorspace == AVCOL_SPC_UNSPECIFIED ?
          SWS_CS_DEFAULT : f->colorspace), src_range,
      sws_getCoefficients (SWS_CS_DEFAULT), dst_full_range, 0, 1 << 16,
      1 << 16);
}

/* Converts f to packed RGB in input->rgb. The engine converts the formats
 * it reads itself, on the device; this is for the rest (yuvj420p from
 * JPEG, 4:2:2/4:4:4, high bit depth, palettes, gray+alpha). */
static gboolean
convert_to_rgb (SalmapInput * input, const AVFrame * f, GError ** error)
{
  AVFrame *rgb = input->rgb;
  int ret;

  if (rgb->width != f->width || rgb->height != f->height) {
    av_frame_unref (rgb);
    rgb->format = AV_PIX_FMT_RGB24;
    rgb->width = f->width;
    rgb->height = f->height;
    ret = av_frame_get_buffer (rgb, 0);
    if (ret < 0) {
      salmap_set_av_error (error, SALMAP_ERROR_INPUT, ret,
          "%s: frame %d", input->path, input->file_frames);
      return FALSE;
    }
  }
  /* Same size in and out: the flags only choose chroma upsampling and
   * rounding. */
  input->sws = sws_getCachedContext (input->sws, f->width, f->height,
      f->format, f->width, f->height, AV_PIX_FMT_RGB24,
      SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, NULL, NULL, NULL);
  if (input->sws == NULL) {
    g_set_error (error, SALMAP_ERROR, SALMAP_ERROR_INPUT,
        "%s: cannot convert %dx%d %s frames to RGB", input->path,
        f->width, f->height, av_get_pix_fmt_name (f->format));
    return FALSE;
  }
  salmap_sws_set_colorspace (input->sws, f, TRUE);
  ret = sws_scale (input->sws, (const uint8_t * const *) f->data, f->linesize,
      0, f->height, rgb->data, rgb->linesize);
  if (ret < 0) {
    salmap_set_av_error (error, SALMAP_ERROR_INPUT, ret,
        "%s: converting frame %d to RGB", input->path, input->file_frames);
    return FALSE;
  }
  return TRUE;
}

static gboolean
fill_frame (SalmapInput * input, SalFrame * frame, SalmapFrameInfo * info,
    GError ** error)
{
  const AVFrame *f = input->frame;
  const AVFrame *src = f;
  AVStream *st = input->ic->streams[input->stream];

  memset (frame, 0, sizeof (*frame));
  frame->format = engine_format (f);
  if (frame->format == SAL_FORMAT_UNKNOWN) {
    if (!convert_to_rgb (input, f, error))
      return FALSE;
    src = input->rgb;
    frame->format = SAL_FORMAT_RGB;
  }
  frame->width = src->width;
  frame->height = src->height;
  for (int i = 0; i < 3; i++) {
    frame->data[i] = src->data[i];
    frame->stride[i] = src->linesize[i];
  }

  info->index = input->n_out;
  info->path = input->path;
  info->name = input->name;
  info->file_index = input->file_frames;
  info->time = NAN;
  if (f->best_effort_timestamp != AV_NOPTS_VALUE) {
    int64_t ts = f->best_effort_timestamp;

    if (st->start_time != AV_NOPTS_VALUE)
      ts -= st->start_time;
    info->time = ts * av_q2d (st->time_base);
  }
  info->new_clip = !input->is_image && input->file_frames == 0;
  info->av_frame = f;

  input->file_frames++;
  input->n_out++;
  return TRUE;
}

gboolean
salmap_input_next (SalmapInput * input, SalFrame * frame,
    SalmapFrameInfo * info, GError ** error)
{
  int ret;

  av_frame_unref (input->frame);
  for (;;) {
    if (input->ic == NULL) {
      if (input->next_path >= input->paths->len)
        return FALSE;
      if (!open_file (input, input->paths->pdata[input->next_path++], error))
        return FALSE;
    }

    ret = avcodec_receive_frame (input->dec, input->frame);
    if (ret >= 0)
      return fill_frame (input, frame, info, error);
    if (ret == AVERROR_EOF) {
      if (input->file_frames == 0) {
        g_set_error (error, SALMAP_ERROR, SALMAP_ERROR_INPUT,
            "%s: no frame could be decoded", input->path);
        return FALSE;
      }
      close_file (input);
      continue;
    }
    if (ret != AVERROR (EAGAIN) || input->draining) {
      /* (A draining decoder that wants more input breaks the API: an
       * error rather than reading past the end forever.) */
      salmap_set_av_error (error, SALMAP_ERROR_INPUT, ret,
          "%s: decoding frame %d", input->path, input->file_frames);
      return FALSE;
    }

    /* The decoder wants input. */
    ret = av_read_frame (input->ic, input->pkt);
    if (ret == AVERROR_EOF) {
      /* Drain: frames still held for reordering or by frame threads. */
      ret = avcodec_send_packet (input->dec, NULL);
      if (ret < 0) {
        salmap_set_av_error (error, SALMAP_ERROR_INPUT, ret,
            "%s: decoding frame %d", input->path, input->file_frames);
        return FALSE;
      }
      input->draining = TRUE;
      continue;
    }
    if (ret < 0) {
      salmap_set_av_error (error, SALMAP_ERROR_INPUT, ret,
          "%s: reading after frame %d", input->path, input->file_frames);
      return FALSE;
    }
    if (input->pkt->stream_index != input->stream) {
      av_packet_unref (input->pkt);
      continue;
    }
    /* A packet cut short by the end of the file (a truncated download):
     * decoding it would hand out a damaged frame without complaint. */
    if (input->pkt->flags & AV_PKT_FLAG_CORRUPT) {
      av_packet_unref (input->pkt);
      salmap_set_av_error (error, SALMAP_ERROR_INPUT, AVERROR_INVALIDDATA,
          "%s: damaged packet after frame %d", input->path,
          input->file_frames);
      return FALSE;
    }
    ret = avcodec_send_packet (input->dec, input->pkt);
    av_packet_unref (input->pkt);
    if (ret < 0) {
      salmap_set_av_error (error, SALMAP_ERROR_INPUT, ret,
          "%s: decoding frame %d", input->path, input->file_frames);
      return FALSE;
    }
  }
}

int
salmap_input_get_n_frames (SalmapInput * input)
{
  /* Never report fewer than were already handed out (container counts
   * can be low). */
  if (input->n_frames >= 0 && input->n_frames < input->n_out)
    return input->n_out;
  return input->n_frames;
}

guint
salmap_input_get_n_files (SalmapInput * input)
{
  return input->paths->len;
}
