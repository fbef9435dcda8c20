import type { Profile } from '@blindbox/shared';
import { Text, View } from '@tarojs/components';
import { useDidShow } from '@tarojs/taro';
import { useRef } from 'react';
import { minorsNoticeFor, type MinorsNotice as NoticeKind } from '@blindbox/shared/src/compliance';
import { api } from '../api/session';
import { SILENT_LOGIN } from '../platform/login';
import { formatDateTime } from '../lib/format';
import { openPage, routes } from '../lib/routes';
import { useResource } from '../lib/use-resource';
import './compliance.css';

/**
 * The shopper's profile, or null when it cannot be read (then they may be a minor: the rule is shown). A notice is
 * no reason to ask a release H5 shopper to sign in: without a session (and no silent login) it is not read.
 */
const loadProfile = () => (SILENT_LOGIN || api.hasSession() ? api.getProfile().catch((): Profile | null => null) : Promise.resolve(null));

const TEXT: Record<NoticeKind, { title: string; body: string; link?: string }> = {
  NOT_DECLARED: {
    title: '未成年人购买提示',
    body: '盲盒不向未满 8 周岁的儿童销售；8–17 周岁的未成年人购买须取得监护人同意。下单前请先声明年龄。',
    link: '去声明年龄 →',
  },
  UNDER_8: { title: '无法购买', body: '你声明的年龄未满 8 周岁。根据规定，盲盒不向未满 8 周岁的儿童销售。' },
  GUARDIAN_CONSENT_NEEDED: {
    title: '需要监护人同意',
    body: '你声明的年龄为 8–17 周岁：购买盲盒须取得监护人同意。请监护人确认同意后再购买。',
    link: '请监护人确认同意 →',
  },
  GUARDIAN_CONSENTED: { title: '未成年人购买提示', body: '你声明的年龄为 8–17 周岁，须在监护人同意下购买。' },
};

/**
 * The minors' notice where a shopper decides to buy (box page, confirm page): 《盲盒经营行为规范指引（试行）》 asks
 * a seller to tell shoppers of 8 and over prominently that they need a guardian's consent, and never to sell
 * under 8. Who sees what is decided once, by minorsNoticeFor (shared/compliance.ts); the server's age gate
 * refuses the order anyway. Without `profile` it reads the shopper's own, again whenever the page shows, so a
 * declaration made meanwhile (on 我的) counts; a page that holds the profile already passes it.
 */
export function MinorsNotice({ profile: given }: { profile?: Profile } = {}) {
  return given ? <Notice profile={given} /> : <OwnProfileNotice />;
}

function OwnProfileNotice() {
  const profile = useResource(loadProfile);
  const shown = useRef(false);
  useDidShow(() => {
    // The first show is the mount, which useResource already loads.
    if (shown.current) void profile.reload();
    shown.current = true;
  });
  if (profile.loading && !profile.data) return null;
  return <Notice profile={profile.data} />;
}

function Notice({ profile }: { profile: Profile | null }) {
  const kind = minorsNoticeFor(profile);
  if (!kind) return null;
  const text = TEXT[kind];
  const consentAt = profile?.guardianConsentAt;
  return (
    <View className={`minors-notice${kind === 'UNDER_8' ? ' minors-notice--stop' : ''}`} data-testid="minors-notice" data-kind={kind}>
      <Text className="minors-notice__title">{text.title}</Text>
      <Text>
        {text.body}
        {kind === 'GUARDIAN_CONSENTED' && consentAt ? `监护人已于 ${formatDateTime(consentAt)} 确认同意。` : ''}
      </Text>
      {text.link && (
        <Text className="compliance-link" data-testid="minors-notice-link" onClick={() => void openPage(routes.me())}>
          {text.link}
        </Text>
      )}
    </View>
  );
}
