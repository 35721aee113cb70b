/* GStreamer saliency plugin
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstsaliency.h"
#include "gstsaliencypublish.h"
#ifdef HAVE_SALIENCYENC
#include "gstsaliencyenc.h"
#endif

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ok = GST_ELEMENT_REGISTER (saliency, plugin);

  ok &= GST_ELEMENT_REGISTER (saliencypublish, plugin);

#ifdef HAVE_SALIENCYENC
  ok &= GST_ELEMENT_REGISTER (saliencyenc, plugin);
#endif
  return ok;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, saliency,
    "Visual saliency prediction on OpenCL", plugin_init, VERSION, "LGPL",
    PACKAGE, GST_PACKAGE_ORIGIN)
