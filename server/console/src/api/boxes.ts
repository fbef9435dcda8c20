import { useQuery } from '@tanstack/react-query';
import { boxPageSchema } from '@blindbox/shared';
import { ConsoleApiError } from './client';

/** The boxes on sale, for the order search's box filter (the shop's public list; the catalog pages come later). */
export function useBoxOptions() {
  return useQuery({
    queryKey: ['boxes'],
    staleTime: 300_000,
    queryFn: async () => {
      const response = await fetch('/api/boxes?pageSize=50', { credentials: 'same-origin' });
      if (!response.ok) throw new ConsoleApiError(response.status, 'BOXES', '无法加载盲盒列表');
      return boxPageSchema.parse(await response.json()).items.map((box) => ({ value: box.id, label: box.name }));
    },
  });
}
