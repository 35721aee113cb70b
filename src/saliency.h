/* libsaliency: video saliency on OpenCL.
 *
 * Frames in, maps out, state inside. Clients (the GStreamer element, the
 * salmap CLI) never touch OpenCL; they only see this header.
 *
 * An engine is not thread-safe: drive one engine from one thread at a time.
 */
#ifndef SALIENCY_H
#define SALIENCY_H

#include <glib.h>

G_BEGIN_DECLS

#define SAL_ERROR (sal_error_quark ())
GQuark sal_error_quark (void);

typedef enum
{
  SAL_ERROR_NO_PLATFORM,        /* no OpenCL platform / ICD at all */
  SAL_ERROR_NO_DEVICE,          /* platforms exist but none matches "device" */
  SAL_ERROR_OPENCL,             /* an OpenCL call failed at run time */
  SAL_ERROR_KERNEL_BUILD,       /* a kernel failed to compile */
  SAL_ERROR_MODEL,              /* unknown model name or unusable model */
  SAL_ERROR_MODEL_FILE,         /* a model file is truncated, corrupt, wrong */
  SAL_ERROR_INVALID_ARGUMENT,   /* a bad option or frame description */
  SAL_ERROR_UNSUPPORTED_FORMAT, /* pixel format the engine cannot read */
} SalError;

/* Pixel formats the engine reads, named as GStreamer names them. */
typedef enum
{
  SAL_FORMAT_RGBx,
  SAL_FORMAT_BGRx,
  SAL_FORMAT_RGBA,
  SAL_FORMAT_BGRA,
  SAL_FORMAT_RGB,
  SAL_FORMAT_BGR,
  SAL_FORMAT_I420,
  SAL_FORMAT_NV12,
  SAL_FORMAT_GRAY8,
  SAL_FORMAT_UNKNOWN
} SalPixelFormat;

/* Parses a GStreamer-style format name ("RGBx", "I420", ...). */
SalPixelFormat sal_pixel_format_from_string (const char *name);
const char *sal_pixel_format_to_string (SalPixelFormat format);

/* One plane of a pixel format: bytes per pixel, colour channels in them
 * (a packed format's fourth byte is not one) and chroma subsampling
 * (1: half the width and height, rounded up). */
typedef struct
{
  int pixel_stride;
  int channels;
  int subsampling;
} SalPlaneLayout;

/* Fills planes[0..n) for format and returns n (1 to 3), or 0 for a format
 * the engine cannot read. */
int sal_pixel_format_planes (SalPixelFormat format, SalPlaneLayout planes[3]);
/* A plane's width or height in pixels, from the frame's. */
#define SAL_PLANE_SIZE(size, plane) \
  (((size) + (plane)->subsampling) >> (plane)->subsampling)

/* A frame in host memory. Planes: packed formats use plane 0; I420 uses
 * Y, U, V; NV12 uses Y, UV. Strides are in bytes. Any width/height >= 1. */
typedef struct
{
  SalPixelFormat format;
  int width;
  int height;
  const guint8 *data[3];
  int stride[3];
} SalFrame;

/* A saliency map: width*height floats, a probability distribution over the
 * pixels (sums to 1). For display, divide by max. */
typedef struct
{
  int width;
  int height;
  float *data;
  float max;                    /* largest value of data */
  int peak_x;                   /* position of max */
  int peak_y;
} SalMap;

SalMap *sal_map_new (int width, int height);
void sal_map_free (SalMap * map);
/* Sets max/peak_x/peak_y from data. */
void sal_map_update_stats (SalMap * map);

/* A salient region in map pixel coordinates. */
typedef struct
{
  int x, y, width, height;
  float score;                  /* peak value / map max, in (0, 1] */
  float mass;                   /* probability mass inside the box */
} SalRegion;

/* Finds up to max_regions connected regions whose value is at least
 * threshold * map->max, strongest first. Returns how many were written. */
int sal_map_find_regions (const SalMap * map, float threshold,
    SalRegion * regions, int max_regions);

typedef struct
{
  const char *model;            /* "classic", a model file path; NULL: default */
  const char *device;           /* "auto", "cpu", "gpu" or an index; NULL: auto */
  gboolean still;               /* every frame independent: no temporal state */
  /* Reserved for architectures with these settings; 0/NULL: from the model. */
  const char *domain;
  int net_width;
  int net_height;
  int modulo;
} SalEngineOptions;

/* Parses a network size "HxW" (height first, as UNISAL writes it: "224x384")
 * into width and height. Architectures check what sizes they accept. */
gboolean sal_parse_net_size (const char *text, int *width, int *height,
    GError ** error);

/* Fills opts with defaults. Always call it first: fields may be added. */
void sal_engine_options_init (SalEngineOptions * opts);

typedef struct
{
  const char *name;             /* "classic", file basename, ... */
  const char *architecture;     /* "classic", "unisal", "default" */
  const char *description;
  int net_width;                /* resolution the network runs at */
  int net_height;
  gboolean size_from_frame;     /* network size follows the frame's aspect */
  int ring_length;              /* frames/states of history kept */
  gboolean temporal;            /* uses past frames */
} SalModelInfo;

typedef struct _SalEngine SalEngine;

SalEngine *sal_engine_new (const SalEngineOptions * opts, GError ** error);
void sal_engine_free (SalEngine * engine);

/* Runs one frame. The map is computed at out->width x out->height (any
 * size; typically the frame size) and written into out->data; max and
 * the peak are filled in too. */
gboolean sal_engine_push_frame (SalEngine * engine, const SalFrame * frame,
    SalMap * out, GError ** error);

/* Forgets all temporal state (flush, seek, discontinuity, caps change). */
void sal_engine_reset (SalEngine * engine);

/* Toggles still mode at run time; switching resets the temporal state. */
void sal_engine_set_still (SalEngine * engine, gboolean still);

/* The size at which this engine's maps are worth computing for frames of
 * frame_width x frame_height: the frame's aspect ratio with the long side of
 * the network (never larger than the frame). Finer maps only interpolate,
 * so clients that work per frame (the element) use this size and sample it
 * at frame coordinates; clients that need frame-sized maps (evaluation)
 * may still pass any size to sal_engine_push_frame(). */
void sal_engine_get_map_size (SalEngine * engine, int frame_width,
    int frame_height, int *map_width, int *map_height);

const SalModelInfo *sal_engine_get_model_info (SalEngine * engine);
/* Human-readable "platform: device" name of the OpenCL device in use. */
const char *sal_engine_get_device_name (SalEngine * engine);

/* Per-stage timings of the last push_frame, in milliseconds. */
typedef struct
{
  double upload_ms;
  double preprocess_ms;
  double network_ms;
  double postprocess_ms;
  double total_ms;
} SalTimings;

void sal_engine_get_timings (SalEngine * engine, SalTimings * timings);

G_END_DECLS

#endif /* SALIENCY_H */
