import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App } from 'antd';
import { complaintDetailSchema, type ComplaintRefundRequest } from '@blindbox/shared';
import { errorMessage, request } from '../../api/client';

/** The complaint page's writes: each answers the complaint as WeChat has it now, which replaces the cached one. */
export function useComplaintActions(complaintId: string) {
  const client = useQueryClient();
  const { message } = App.useApp();
  const path = `/complaints/${encodeURIComponent(complaintId)}`;
  const done = (text: string) => (answer: unknown) => {
    client.setQueryData(['complaint', complaintId], answer);
    message.success(text);
    void client.invalidateQueries({ queryKey: ['complaints'] });
    void client.invalidateQueries({ queryKey: ['dashboard'] });
  };
  const onError = (error: unknown) => message.error(errorMessage(error));
  return {
    reply: useMutation({ mutationFn: (content: string) => request('POST', `${path}/reply`, complaintDetailSchema, { body: { content } }), onSuccess: done('已回复用户'), onError }),
    refund: useMutation({ mutationFn: (body: ComplaintRefundRequest) => request('POST', `${path}/refund`, complaintDetailSchema, { body }), onSuccess: done('退款已提交，微信确认后原路退回'), onError }),
    complete: useMutation({ mutationFn: () => request('POST', `${path}/complete`, complaintDetailSchema), onSuccess: done('已反馈处理完成'), onError }),
  };
}
