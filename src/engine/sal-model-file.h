/* Model files: safetensors (8-byte little-endian header length, a JSON
 * header, raw little-endian tensor data). Every file is treated as hostile:
 * offsets, sizes, dtypes and shapes are validated before any data is
 * touched, and the first problem is reported as a SAL_ERROR_MODEL_FILE
 * GError naming it. The header's "__metadata__" (string values) names the
 * architecture and its settings. */
#ifndef SAL_MODEL_FILE_H
#define SAL_MODEL_FILE_H

#include <glib.h>

G_BEGIN_DECLS

#define SAL_MODEL_MAX_DIMS 8

typedef struct
{
  const char *name;
  int ndim;
  gint64 shape[SAL_MODEL_MAX_DIMS];
  gsize n_elements;
  const guint8 *data;           /* n_elements little-endian float32, maybe unaligned */
} SalModelTensor;

typedef struct _SalModelFile SalModelFile;

/* Maps the file (no copy). */
SalModelFile *sal_model_file_open (const char *path, GError ** error);
/* From memory (GResource, fuzzing); keeps a reference to bytes. */
SalModelFile *sal_model_file_new_from_bytes (GBytes * bytes,
    const char *name, GError ** error);
void sal_model_file_free (SalModelFile * f);

/* Display name: the file's basename (or the name given). */
const char *sal_model_file_get_name (SalModelFile * f);
/* A "__metadata__" value, NULL when absent. */
const char *sal_model_file_get_meta (SalModelFile * f, const char *key);
/* "__metadata__" integer: FALSE with a GError naming the key when absent
 * or not an integer in [min, max]. */
gboolean sal_model_file_get_meta_int (SalModelFile * f, const char *key,
    gint64 min, gint64 max, gint64 * value, GError ** error);

guint sal_model_file_get_n_tensors (SalModelFile * f);
const SalModelTensor *sal_model_file_get_tensor (SalModelFile * f, guint i);
const SalModelTensor *sal_model_file_lookup (SalModelFile * f,
    const char *name);

/* A new host copy (g_free it) of tensor name, which must exist, be float32
 * and have exactly this shape (ndim entries); else NULL and a GError
 * naming the tensor and what was expected. */
float *sal_model_file_read (SalModelFile * f, const char *name, int ndim,
    const gint64 * shape, GError ** error);

G_END_DECLS

#endif
