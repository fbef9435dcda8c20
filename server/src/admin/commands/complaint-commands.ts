import { UsageError, type AdminCommand } from '../admin-command';
import { complaintNotifyUrlOf } from '../../payments/callback-paths';

const SYNC_DAYS_DEFAULT = 30;

export const complaintsCommand: AdminCommand = {
  name: 'complaints',
  usage: `  complaints url                    the complaint notification URL WeChat Pay has, and the one it should have
  complaints register-url           register this server's complaint notification URL with WeChat Pay
  complaints sync [--days N]        read every WeChat Pay complaint of the last N days (default 30)`,
  options: { days: { type: 'string' } },
  async run(context) {
    const { complaints, config } = context.container;
    const [sub, ...extra] = context.positionals;
    if (extra.length > 0) throw new UsageError('complaints takes url, register-url or sync');
    const wanted = complaintNotifyUrlOf(config.WECHATPAY_NOTIFY_URL);
    if (sub === 'url') {
      const registered = await complaints.notificationUrl();
      const result = { registered, wanted, ok: registered === wanted };
      return { ...context.print(result, () => `registered: ${registered ?? '(none)'}\nwanted:     ${wanted}${result.ok ? '' : '\nrun: admin complaints register-url'}`), exitCode: result.ok ? 0 : 1 };
    }
    if (sub === 'register-url') {
      const outcome = await complaints.registerNotificationUrl(wanted, context.apply);
      return context.print({ url: wanted, outcome }, () => (outcome === null ? '' : `${outcome.toLowerCase()}: ${wanted}`));
    }
    if (sub === 'sync') {
      const days = Number(context.values.days ?? SYNC_DAYS_DEFAULT);
      if (!Number.isInteger(days) || days < 1 || days > 90) throw new UsageError('--days takes 1 to 90');
      const synced = await context.apply({ command: 'complaints sync', target: 'wechatpay:complaints', before: null, after: (result: { complaints: number }) => ({ days, ...result }) }, () => complaints.syncRecent(days));
      return context.print(synced, () => (synced ? `${synced.complaints} complaint(s) read from WeChat Pay` : ''));
    }
    throw new UsageError('complaints takes url, register-url or sync');
  },
};
