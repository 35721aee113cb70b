/* UNISAL internals shared by sal-arch-unisal.c (options, buffers, the
 * SalArch), sal-unisal-weights.c (tensor reading, BN folding) and
 * sal-unisal-forward.c (the per-frame pass). tools/unisal_reference.py is
 * the specification of the forward pass. */
#ifndef SAL_UNISAL_H
#define SAL_UNISAL_H

#include "sal-arch.h"
#include "sal-layers.h"

G_BEGIN_DECLS

#define UNISAL_N_BLOCKS 17      /* MobileNetV2 features.1 .. features.17 */
#define UNISAL_N_GAUSSIANS 16
#define UNISAL_FEAT_CH 1280     /* features.18 */
#define UNISAL_RNN_CH 256
#define UNISAL_SKIP_2X_CH 128
#define UNISAL_SKIP_4X_CH 64
#define UNISAL_SMOOTH_K 41
#define UNISAL_TAP_4X 7         /* feat_4x: features.7 before subsampling */
#define UNISAL_TAP_2X 14        /* feat_2x: features.14 before subsampling */
#define UNISAL_MIN_SIDE 32
#define UNISAL_MAX_SIDE 4096

/* An inverted residual block: [1x1 expand + ReLU6] -> dw 3x3 + ReLU6 ->
 * 1x1 project [+ input], BN folded into each conv. */
typedef struct
{
  SalConv *expand;              /* NULL when the expansion factor is 1 */
  SalConv *dw;
  SalConv *project;
  gboolean residual;
  /* A stride-2 block whose pre-subsampling output a skip reads: its
   * depthwise conv runs at stride 1 and the output is subsampled after. */
  gboolean tap;
} UnisalBlock;

/* The ConvGRU's six "mobile" branches, in sal_gru_update's order. */
enum
{
  GRU_RX, GRU_RH, GRU_ZX, GRU_ZH, GRU_HX, GRU_HH, GRU_N_BRANCHES
};

struct _SalModel
{
  SalRuntime *rt;
  SalLayers *layers;

  /* Strings SalModelInfo points to. */
  char *name;
  char *domain;                 /* as the DSBN tensors spell it: "DHF1K" */
  char *description;
  int net_w, net_h;
  int modulo;

  /* Weights (BN, the GRU's scales and biases folded in). */
  SalConv *stem;                /* features.0 */
  UnisalBlock blocks[UNISAL_N_BLOCKS];
  SalConv *head;                /* features.18 */
  SalConv *post_cnn_dw, *post_cnn_pw;
  SalConv *gru_dw[GRU_N_BRANCHES], *gru_pw[GRU_N_BRANCHES];
  SalConv *post_rnn;
  SalConv *skip2_expand, *skip2_reduce;
  SalConv *skip4_expand, *skip4_reduce;
  UnisalBlock up2, post_up2;    /* upsampling_2, post_upsampling_2 */
  SalConv *adaptation;
  SalConv *smoothing;
  float gaussians[UNISAL_N_GAUSSIANS * 4];

  /* Activations, all allocated at create: forward allocates nothing.
   * The big transient ones are views into three scratch buffers. */
  SalTensor *scratch[3];
  SalTensor *feat_4x, *feat_2x; /* skip taps, full resolution */
  SalTensor *priors;            /* [16, h, w], constant */
  SalTensor *f;                 /* post_cnn output */
  SalTensor *branch_tmp;        /* a GRU branch's depthwise output */
  SalTensor *branch[GRU_N_BRANCHES];
  SalTensor *dec_in;            /* f + post_rnn (h') */
  SalTensor **ring;             /* modulo hidden states */
  gboolean *ring_valid;         /* FALSE: the slot is "no state" (zeros) */
  guint64 t;                    /* video frames since reset */

  /* Debugging: SALIENCY_UNISAL_DUMP=DIR writes named activations. */
  char *dump_dir;
  guint64 n_forward;
};

/* How create() reads the file: the domain picks the DSBN branch and the
 * domain-specific tensors. */
typedef struct
{
  SalRuntime *rt;
  SalModelFile *file;
  const char *domain;           /* DSBN spelling, "bn_<domain>" */
  const char *domain_lower;     /* other tensors: "adaptation_<lower>" */
  float eps;
} UnisalLoader;

typedef enum
{
  UNISAL_BN_NONE,
  UNISAL_BN_PLAIN,              /* <bn>.weight ... */
  UNISAL_BN_DOMAIN,             /* <bn>.bn_<domain>.weight ... */
} UnisalBn;

typedef struct
{
  const char *conv;             /* module: <conv>.weight [, <conv>.bias] */
  gboolean conv_bias;
  const char *bn;               /* BN module, with bn_kind */
  UnisalBn bn_kind;
  const char *scale;            /* [cout, 1, 1] factor after the BN, or NULL */
  const char *add_bias;         /* [cout, 1, 1] added after that, or NULL */
  int cin, cout, k, stride;
  gboolean depthwise;
  SalPad pad_mode;
  SalAct act;
} UnisalConvSpec;

/* Reads, folds and uploads one conv; errors name the tensor. */
SalConv *unisal_load_conv (UnisalLoader * ld, const UnisalConvSpec * spec,
    GError ** error);

/* Reads an inverted residual block <prefix>.conv.N (N = 0, 1, 3, 4[, 6,
 * 7]) with expansion t; the depthwise conv gets dw_stride. */
gboolean unisal_load_block (UnisalLoader * ld, const char *prefix, int cin,
    int cout, int t, int dw_stride, UnisalBn bn_kind, UnisalBlock * b,
    GError ** error);

/* A host copy of a float32 tensor of exactly this shape (g_free it). */
float *unisal_read (UnisalLoader * ld, const char *name, int ndim,
    const gint64 * shape, GError ** error);

void unisal_block_clear (UnisalBlock * b);

gboolean unisal_forward (SalModel * m, const SalTensor * rgb,
    SalTensor * out, gboolean still, GError ** error);

/* Writes t as <dump_dir>/f<frame>_<name>.npy when dumping is on. */
void unisal_dump (SalModel * m, const char *name, const SalTensor * t);

G_END_DECLS

#endif
