import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App } from 'antd';
import { aftersalesActionResponseSchema, type AftersalesResolveRequest } from '@blindbox/shared';
import { errorMessage, request } from '../../api/client';

/** A request's writes: each answers the request as it is now, which replaces the cached one. */
export function useAftersalesActions(id: string) {
  const client = useQueryClient();
  const { message } = App.useApp();
  const done = (text: string) => (answer: { request: unknown }) => {
    client.setQueryData(['aftersales-request', id], answer.request);
    message.success(text);
    void client.invalidateQueries({ queryKey: ['aftersales'] });
    void client.invalidateQueries({ queryKey: ['orders'] });
    void client.invalidateQueries({ queryKey: ['audit'] });
  };
  const onError = (error: unknown) => {
    message.error(errorMessage(error));
    // Someone else may have answered or resolved it meanwhile: show what is true now.
    void client.invalidateQueries({ queryKey: ['aftersales-request', id] });
  };
  const path = `/aftersales/${id}`;
  return {
    reply: useMutation({ mutationFn: (text: string) => request('POST', `${path}/messages`, aftersalesActionResponseSchema, { body: { text } }), onSuccess: done('已回复，买家会收到通知'), onError }),
    resolve: useMutation({ mutationFn: (body: AftersalesResolveRequest) => request('POST', `${path}/resolve`, aftersalesActionResponseSchema, { body }), onSuccess: done('已处理，买家会收到通知'), onError }),
  };
}
