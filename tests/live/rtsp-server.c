/* A small RTSP server for the live tests: an H.264 stream on loopback
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Serves rtsp://127.0.0.1:PORT/test: a live videotestsrc ball encoded with
 * x264, FRAMES frames at 30 fps and then the end of the stream (0: no
 * end), each client from the first frame, on a port the system picks.
 * FILTER, when given, is a pipeline fragment put before the encoder (such
 * as "saliency ! videoconvert": RTSP output of the overlay). Prints the
 * port on stdout once it listens; runs until SIGTERM or SIGINT.
 * Usage: live-rtsp-server [FRAMES [WIDTHxHEIGHT [FILTER]]] */

#include <stdio.h>
#include <stdlib.h>
#include <glib-unix.h>
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>

static gboolean
quit (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  GstRTSPServer *server;
  GstRTSPMountPoints *mounts;
  GstRTSPMediaFactory *factory;
  GMainLoop *loop;
  gchar *launch;
  gint width = 320, height = 180, frames = 0;

  gst_init (&argc, &argv);
  if ((argc > 1 && sscanf (argv[1], "%d", &frames) != 1)
      || (argc > 2 && sscanf (argv[2], "%dx%d", &width, &height) != 2)) {
    g_printerr ("usage: %s [FRAMES [WIDTHxHEIGHT [FILTER]]]\n", argv[0]);
    return 2;
  }
  launch = g_strdup_printf ("( videotestsrc is-live=true pattern=ball "
      "num-buffers=%d ! video/x-raw,width=%d,height=%d,framerate=30/1 ! "
      "%s%s x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 ! "
      "rtph264pay name=pay0 pt=96 )", frames > 0 ? frames : -1, width,
      height, argc > 3 ? argv[3] : "", argc > 3 ? " !" : "");

  loop = g_main_loop_new (NULL, FALSE);
  server = gst_rtsp_server_new ();
  gst_rtsp_server_set_address (server, "127.0.0.1");
  gst_rtsp_server_set_service (server, "0");

  factory = gst_rtsp_media_factory_new ();
  gst_rtsp_media_factory_set_launch (factory, launch);
  /* Every client gets the stream from its start. */
  gst_rtsp_media_factory_set_shared (factory, FALSE);
  mounts = gst_rtsp_server_get_mount_points (server);
  gst_rtsp_mount_points_add_factory (mounts, "/test", factory);
  g_object_unref (mounts);

  if (gst_rtsp_server_attach (server, NULL) == 0) {
    g_printerr ("cannot listen on 127.0.0.1\n");
    return 1;
  }
  printf ("%d\n", gst_rtsp_server_get_bound_port (server));
  fflush (stdout);

  g_unix_signal_add (SIGTERM, quit, loop);
  g_unix_signal_add (SIGINT, quit, loop);
  g_main_loop_run (loop);

  g_object_unref (server);
  g_main_loop_unref (loop);
  g_free (launch);
  return 0;
}
