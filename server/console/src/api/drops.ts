import { useQuery } from '@tanstack/react-query';
import { dropListResponseSchema } from '@blindbox/shared';
import { request } from './client';

/** Every box on the shelf with its drop (the drops page, and the box choice of the sets and sales pages). */
export function useDropList() {
  return useQuery({ queryKey: ['drops'], queryFn: () => request('GET', '/drops', dropListResponseSchema) });
}
