/* SalMap: a probability map in host memory. */
#include "saliency.h"

SalMap *
sal_map_new (int width, int height)
{
  SalMap *map;

  g_return_val_if_fail (width > 0 && height > 0, NULL);

  map = g_new0 (SalMap, 1);
  map->width = width;
  map->height = height;
  map->data = g_new0 (float, (gsize) width * height);
  return map;
}

void
sal_map_free (SalMap * map)
{
  if (!map)
    return;
  g_free (map->data);
  g_free (map);
}

void
sal_map_update_stats (SalMap * map)
{
  gsize n = (gsize) map->width * map->height, best = 0;

  for (gsize i = 1; i < n; i++)
    if (map->data[i] > map->data[best])
      best = i;
  map->max = map->data[best];
  map->peak_x = (int) (best % map->width);
  map->peak_y = (int) (best / map->width);
}
