import { z } from 'zod';
import { PlatformError } from '../shipping/mini-program-platform';
import type { WechatApiCaller } from '../shipping/wechat-api-caller';
import type { SubscribeMessagePlatform } from './subscribe-message-platform';

const templatesAnswerSchema = z.object({
  data: z.array(z.object({ priTmplId: z.string(), title: z.string(), content: z.string(), type: z.number().int() })),
});

/** Subscribe messages over HTTP, on the platform adapter's access token. */
export function wechatSubscribeMessages(api: WechatApiCaller): SubscribeMessagePlatform {
  return {
    async send({ touser, templateId, message, miniprogramState }) {
      const answer = await api.callWithToken('/cgi-bin/message/subscribe/send', {
        touser,
        template_id: templateId,
        page: message.page,
        data: message.data,
        miniprogram_state: miniprogramState,
        lang: 'zh_CN',
      });
      if (answer.errcode !== 0) throw new PlatformError(answer.errcode, `subscribe/send errcode ${answer.errcode}: ${answer.errmsg ?? ''}`.trim());
    },

    async templates() {
      const answer = await api.callWithToken('/wxaapi/newtmpl/gettemplate', undefined);
      if (answer.errcode !== 0) throw new PlatformError(answer.errcode, `gettemplate errcode ${answer.errcode}: ${answer.errmsg ?? ''}`.trim());
      const parsed = templatesAnswerSchema.safeParse(answer);
      if (!parsed.success) throw new PlatformError(null, `gettemplate answered an unexpected list: ${parsed.error.message}`);
      return parsed.data.data.map((template) => ({ templateId: template.priTmplId, title: template.title, content: template.content, type: template.type }));
    },
  };
}
