/* The contract between the engine and an architecture (classic, unisal,
 * default). The engine owns pre-processing (frame -> normalised RGB tensor
 * at the network size), the ring of past inputs/states lives in the
 * architecture, and post-processing (resize to the output size, softmax or
 * normalisation to a probability map) is the engine's again. */
#ifndef SAL_ARCH_H
#define SAL_ARCH_H

#include "saliency.h"
#include "sal-tensor.h"
#include "sal-model-file.h"

G_BEGIN_DECLS

typedef struct _SalModel SalModel;

typedef struct
{
  const char *name;
  /* Creates the model from its file (NULL for weight-free models); fills
   * info (strings must outlive the model) and the input normalisation: the
   * engine feeds (rgb/255 - mean) / std. Validates opts (domain, net size,
   * modulo) with errors that say what is allowed. */
  SalModel *(*create) (SalRuntime * rt, const SalEngineOptions * opts,
      SalModelFile * file, SalModelInfo * info, float mean[3], float std[3],
      GError ** error);
  /* Chooses the network size for a frame size. Called at start and on every
   * frame size change (followed by reset). NULL: info's fixed size. */
  void (*choose_size) (SalModel * m, int frame_w, int frame_h,
      int *net_w, int *net_h);
  /* Optional: the frame itself, called before forward, for cues that need
   * more pixels than the network size (the default model's faces). */
  gboolean (*see_frame) (SalModel * m, const SalFrame * frame,
      gboolean still, GError ** error);
  /* rgb: [3, net_h, net_w]. out: [1, net_h, net_w] allocated by the engine.
   * still: ignore and do not update temporal state. */
  gboolean (*forward) (SalModel * m, const SalTensor * rgb, SalTensor * out,
      gboolean still, GError ** error);
  /* Forget temporal state. */
  void (*reset) (SalModel * m);
  void (*free) (SalModel * m);
  /* TRUE: out holds logits (softmax'd after resize, as UNISAL does);
   * FALSE: out holds a non-negative map (normalised to sum 1 after resize). */
  gboolean output_is_logits;
} SalArch;

extern const SalArch sal_arch_classic;
extern const SalArch sal_arch_centre;
extern const SalArch sal_arch_sr;
extern const SalArch sal_arch_unisal;
extern const SalArch sal_arch_default;
extern const SalArch sal_arch_vinet_s;

/* The classic model's blurred motion A of its last forward (zeros when it
 * had no past frame: still mode, or the first frame after a reset), into
 * out [1, h, w]: the default model's v4 input. */
gboolean sal_classic_motion (SalModel * classic, SalTensor * out,
    GError ** error);

G_END_DECLS

#endif
