/* GStreamer saliency element: splitting per-row work over threads
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Drawing a 4K frame is memory-bound work of tens of milliseconds; one
 * core cannot do it at 30 fps, two can. The calling (streaming) thread
 * takes the first band and waits for the others, so a frame is complete
 * when gst_saliency_bands_run() returns and buffers stay in order. The
 * pool is shared by all elements of the process and its threads are not
 * exclusive: many small streams cost no threads at all. */

#include "bands.h"

/* Below this many samples a frame is drawn by the streaming thread alone:
 * waking another thread costs more than it saves. */
#define MIN_SAMPLES_PER_BAND (1280 * 720)

/* One frame's work. Whoever claims a band runs it: a pool thread, or the
 * calling thread once its own band is done (when several streams share a
 * busy pool, a stream never waits behind another stream's bands). The job
 * lives until the caller and every queued task have let go of it. */
typedef struct
{
  GstSaliencyBandFunc func;
  gpointer ctx;
  gint n_bands;
  gint claimed[GST_SALIENCY_MAX_BANDS];
  GMutex lock;
  GCond done;
  gint unfinished;              /* bands 1 .. n - 1 not yet run */
} Job;

typedef struct
{
  Job *job;
  gint band;
} Task;

static GThreadPool *pool;
static gint pool_threads;

static void
job_free (gpointer data)
{
  Job *job = data;

  g_mutex_clear (&job->lock);
  g_cond_clear (&job->done);
}

/* Runs band @band unless somebody else has claimed it. */
static void
run_band (Job * job, gint band)
{
  if (!g_atomic_int_compare_and_exchange (&job->claimed[band], 0, 1))
    return;
  job->func (job->ctx, band, job->n_bands);
  g_mutex_lock (&job->lock);
  if (--job->unfinished == 0)
    g_cond_signal (&job->done);
  g_mutex_unlock (&job->lock);
}

static void
run_task (gpointer data, gpointer user_data)
{
  Task *t = data;

  run_band (t->job, t->band);
  g_atomic_rc_box_release_full (t->job, job_free);
  g_free (t);
}

static gpointer
create_pool (gpointer data)
{
  pool_threads = CLAMP ((gint) g_get_num_processors (), 1,
      GST_SALIENCY_MAX_BANDS);
  if (pool_threads > 1)
    pool = g_thread_pool_new (run_task, NULL, pool_threads - 1, FALSE, NULL);
  return NULL;
}

/**
 * gst_saliency_bands_for:
 * @samples: samples (bytes) of the frame to process
 *
 * Returns: how many bands to split a frame of @samples into: one per core,
 * at most %GST_SALIENCY_MAX_BANDS, fewer for small frames.
 */
gint
gst_saliency_bands_for (gsize samples)
{
  static GOnce once = G_ONCE_INIT;
  gsize n;

  g_once (&once, create_pool, NULL);
  if (!pool)
    return 1;
  n = samples / MIN_SAMPLES_PER_BAND;
  return (gint) CLAMP (n, 1, (gsize) pool_threads);
}

/**
 * gst_saliency_bands_run:
 * @n_bands: from gst_saliency_bands_for()
 * @func: called once for each band, from this thread and pool threads
 * @ctx: passed to @func
 *
 * Runs @func on every band and returns when all are done.
 */
void
gst_saliency_bands_run (gint n_bands, GstSaliencyBandFunc func, gpointer ctx)
{
  Job *job;

  if (n_bands <= 1 || !pool) {
    func (ctx, 0, 1);
    return;
  }

  job = g_atomic_rc_box_new0 (Job);
  job->func = func;
  job->ctx = ctx;
  job->n_bands = MIN (n_bands, GST_SALIENCY_MAX_BANDS);
  job->unfinished = job->n_bands - 1;
  g_mutex_init (&job->lock);
  g_cond_init (&job->done);
  for (gint b = 1; b < job->n_bands; b++) {
    Task *t = g_new (Task, 1);

    t->job = g_atomic_rc_box_acquire (job);
    t->band = b;
    /* Never fails: the pool is not exclusive. */
    g_thread_pool_push (pool, t, NULL);
  }

  job->claimed[0] = 1;
  func (ctx, 0, job->n_bands);
  for (gint b = 1; b < job->n_bands; b++)
    run_band (job, b);

  g_mutex_lock (&job->lock);
  while (job->unfinished > 0)
    g_cond_wait (&job->done, &job->lock);
  g_mutex_unlock (&job->lock);
  g_atomic_rc_box_release_full (job, job_free);
}
