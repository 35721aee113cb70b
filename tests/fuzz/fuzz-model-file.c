/* libFuzzer target for the safetensors loader: any bytes either load (and
 * then every tensor reads back with its own shape) or give
 * SAL_ERROR_MODEL_FILE with a short message; anything else aborts.
 * Files that call themselves face cascades also go through the cascade's
 * checks, and those it accepts detect on a small picture.
 *
 * Built with -Dfuzzing=true (clang); fuzz-model-file-replay runs the same
 * function over the committed corpus in every build. */
#include "sal-model-file.h"
#include "saliency.h"
#include "faces/sal-faces.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

/* A cascade either loads and detects within its picture, or gives
 * SAL_ERROR_MODEL_FILE. */
static void
check_cascade (SalModelFile * f)
{
  GError *err = NULL;
  SalFaceCascade *c = sal_face_cascade_new (f, &err);
  guint8 grey[40 * 48];

  if (!c) {
    if (!err || err->domain != SAL_ERROR || err->code != SAL_ERROR_MODEL_FILE)
      abort ();
    g_error_free (err);
    return;
  }
  for (int i = 0; i < 40 * 48; i++)
    grey[i] = (i * 37 + (i / 48) * 11) & 0xff;
  g_array_unref (sal_face_cascade_detect (c, grey, 48, 40, 48, 2));
  sal_face_cascade_free (c);
}

static void
check_file (SalModelFile * f)
{
  guint n = sal_model_file_get_n_tensors (f);
  gint64 v;

  for (guint i = 0; i < n; i++) {
    const SalModelTensor *t = sal_model_file_get_tensor (f, i);
    GError *err = NULL;
    float *x;
    gsize count = 1;
    volatile float sum = 0.0f;

    if (sal_model_file_lookup (f, t->name) != t)
      abort ();
    if (t->ndim < 0 || t->ndim > SAL_MODEL_MAX_DIMS)
      abort ();
    /* The loader promises that the shape's product does not overflow. */
    for (int d = 0; d < t->ndim; d++) {
      if (t->shape[d] < 0)
        abort ();
      count *= (gsize) t->shape[d];
    }
    if (count != t->n_elements)
      abort ();
    x = sal_model_file_read (f, t->name, t->ndim, t->shape, &err);
    if (!x)
      abort ();
    /* Touch every float so that ASan sees any read past the input. */
    for (gsize k = 0; k < t->n_elements; k++)
      sum += x[k];
    (void) sum;
    g_free (x);
  }
  if (g_strcmp0 (sal_model_file_get_meta (f, "architecture"),
          "haar-cascade") == 0)
    check_cascade (f);
  /* Metadata getters on whatever the file holds. */
  (void) sal_model_file_get_meta (f, "architecture");
  if (!sal_model_file_get_meta_int (f, "net_height", 32, 4096, &v, NULL)) {
    GError *err = NULL;
    if (sal_model_file_get_meta_int (f, "net_height", 32, 4096, &v, &err))
      abort ();
    g_error_free (err);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  /* Static: no copy, so that ASan catches reads past the fuzzer's buffer. */
  GBytes *bytes = g_bytes_new_static (data, size);
  GError *err = NULL;
  SalModelFile *f = sal_model_file_new_from_bytes (bytes, "fuzz", &err);

  if (f) {
    if (err)
      abort ();
    check_file (f);
    sal_model_file_free (f);
  } else {
    /* Errors are of the documented kind, name the file, and stay short
     * whatever the input (names are quoted and cut). */
    if (!err || err->domain != SAL_ERROR || err->code != SAL_ERROR_MODEL_FILE
        || !g_str_has_prefix (err->message, "fuzz: ")
        || strlen (err->message) > 1024)
      abort ();
    g_error_free (err);
  }
  g_bytes_unref (bytes);
  return 0;
}
