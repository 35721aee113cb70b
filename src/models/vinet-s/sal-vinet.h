/* ViNet-S internals shared by sal-arch-vinet.c (the SalArch: options,
 * buffers, the frame ring), sal-vinet-weights.c (tensor reading, BN
 * folding) and sal-vinet-forward.c (the clip pass).
 * ../shared/design/vinet-s.md and tools/vinet_reference.py specify the
 * forward pass: an S3D encoder with skips at four depths and a grouped
 * decoder that concatenates them along time, on a clip of the last 32
 * frames at 224x384. */
#ifndef SAL_VINET_H
#define SAL_VINET_H

#include "sal-arch.h"
#include "sal-layers.h"

G_BEGIN_DECLS

#define VINET_CLIP 32
#define VINET_H 224
#define VINET_W 384
#define VINET_BN_EPS 1e-3f
#define VINET_N_MIXED 9
#define VINET_N_DECODER 7

/* SepConv3d: 1xkxk spatial then kx1x1 temporal, each conv + BN + ReLU. */
typedef struct
{
  SalConv3d *s, *t;
} VinetSep;

/* S3D's Mixed block: four branches concatenated on channels. */
typedef struct
{
  int cin, b0, b1a, b1b, b2a, b2b, b3;
  SalConv3d *br0, *br1a, *br2a, *br3;
  VinetSep br1, br2;
} VinetMixed;

struct _SalModel
{
  SalRuntime *rt;
  SalLayers *layers;
  char *name;
  char *description;

  /* Weights, BN folded. */
  SalConv3d *conv_s1;           /* base1.0.conv_s: per frame, into the ring */
  SalConv3d *conv_t1;           /* base1.0.conv_t */
  SalConv3d *basic12;           /* base1.2 */
  VinetSep sep13;               /* base1.3 */
  VinetMixed mixed[VINET_N_MIXED];
  SalConv3d *dec[VINET_N_DECODER];

  /* The ring: conv_s1's output [64, 112, 192] of the last 32 frames,
   * slot `next` is overwritten by the next frame. primed: FALSE after a
   * reset, when the next frame fills every slot (upstream's start
   * padding repeats the first frame). */
  cl_mem ring;
  int next;
  gboolean primed;

  /* Per phase of conv_t1's time stride, the last clip's stages from
   * conv_t1 to y3 (base1.3's output), as rings of their 16 times: clip t
   * reuses 12 of clip t-2's conv_t1 times, and with them the per-time
   * stages, and 10 of its y3 times. Time i of the last clip of phase p is
   * slot (head[p] + i) mod 16 of t1[p] (conv_t1, [16, 64, 112, 192]),
   * s13[p] (base1.3's spatial conv, [16, 192, 56, 96]) and y3[p].
   * valid[p]: that clip was the one two frames back. */
  cl_mem t1[2], s13[2], y3[2];
  int head[2];
  gboolean valid[2];
  int phase;                    /* of the next frame */
  /* FALSE (SALIENCY_VINET_REUSE=0, for tests): every clip computes all of
   * its stages, to show that the reuse changes nothing. */
  gboolean reuse;

  /* Activations, allocated at create (forward allocates nothing): two
   * ping-pong buffers, the Mixed blocks' temporaries and the skips. */
  cl_mem ping[2], tmp[3], y2, y1, y0;
};

/* Reads the weights and folds BN. Errors name the tensor. */
gboolean vinet_load_weights (SalModel * m, SalModelFile * file,
    GError ** error);
void vinet_free_weights (SalModel * m);

/* Allocates the activations (sizes follow from the weights). */
gboolean vinet_allocate (SalModel * m, GError ** error);

/* Forgets the stream: the next frame starts a clip of its own. */
void vinet_reset (SalModel * m);

gboolean vinet_forward (SalModel * m, const SalTensor * rgb,
    SalTensor * out, gboolean still, GError ** error);

G_END_DECLS

#endif
