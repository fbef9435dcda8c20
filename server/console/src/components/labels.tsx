import { Tag, Typography } from 'antd';
import { ORDER_STATUS_LABELS, RARITY_LABELS, type DropState, type OrderStatus } from '@blindbox/shared';

export { ORDER_STATUS_LABELS };

const ORDER_STATUS_COLORS: Record<OrderStatus, string> = {
  TO_BE_PAID: 'default',
  TO_BE_DELIVERED: 'orange',
  DELIVERED: 'blue',
  COMPLETED: 'green',
  CLOSED: 'default',
  REFUNDING: 'purple',
  REFUNDED: 'red',
};

export function OrderStatusTag({ status }: { status: OrderStatus }) {
  return <Tag color={ORDER_STATUS_COLORS[status]}>{ORDER_STATUS_LABELS[status]}</Tag>;
}

const RARITY_COLORS: Record<string, string> = { COMMON: 'default', RARE: 'blue', EPIC: 'purple', SECRET: 'gold' };

export function RarityTag({ rarity }: { rarity: string }) {
  return <Tag color={RARITY_COLORS[rarity]}>{RARITY_LABELS[rarity as keyof typeof RARITY_LABELS] ?? rarity}</Tag>;
}

/** The audit's commands (the CLI's names) in words staff read; the raw name stays visible beside it. */
const AUDIT_COMMAND_LABELS: Record<string, string> = {
  refund: '退款',
  ship: '发货',
  address: '修改收货地址',
  cancel: '取消订单',
  reconcile: '与渠道核对',
  'bill run': '交易账单对账',
  'staff create': '添加员工',
  'staff update': '修改员工',
  'staff reset-password': '重置密码',
  'staff reset-2fa': '重置两步验证',
  'staff unlock': '解锁账号',
  'staff revoke-session': '强制下线',
  'staff enrol-2fa': '绑定两步验证',
  'staff change-password': '修改密码',
  'shipping import': '批量导入运单号',
  'shipping retry': '重试上传发货信息',
  received: '标记签收',
  'reminder resolve': '处理微信提醒',
  drop: '排期开售',
  'drop cancel': '取消开售',
  'sets create': '新增端盒套数',
  'sets retire': '下架一套端盒',
  'coupon create': '新建优惠券',
  'coupon grant': '发放优惠券',
  'coupon welcome': '设置新人券',
  'rotate-seed': '轮换抽取种子',
  'box save': '保存系列',
  'box import': '导入系列文件',
  'stock add': '增减库存',
  'stock set': '设置库存',
  'picture upload': '上传图片',
  'aftersales reply': '回复售后',
  'aftersales resolve': '处理售后',
};

export function auditCommandLabel(command: string): string {
  const label = AUDIT_COMMAND_LABELS[command];
  return label ? `${label}（${command}）` : command;
}

/** The background jobs by what they do for the shop; the code name (server/src/jobs/job-context.ts) stays beside it for the runbook. */
const JOB_LABELS: Record<string, string> = {
  'expiry-sweep': '关闭超时未付订单',
  'reconcile-payments': '核对未回调的支付',
  'refund-order': '办理退款',
  'daily-reconciliation-report': '每日对账报告',
  'upload-shipping-info': '上传发货信息到微信',
  'trade-bill-reconciliation': '下载交易账单并对账',
  'send-subscribe-messages': '发送订阅消息',
};

export function JobName({ name }: { name: string }) {
  const label = JOB_LABELS[name];
  if (!label) return <>{name}</>;
  return (
    <>
      {label} <Typography.Text type="secondary">{name}</Typography.Text>
    </>
  );
}

export const CHANNEL_LABELS: Record<string, string> = { wechatpay: '微信支付', alipay: '支付宝' };

export const REFUND_STATUS_LABELS: Record<string, { text: string; color: string }> = {
  PENDING: { text: '待提交', color: 'default' },
  PROCESSING: { text: '处理中', color: 'processing' },
  SUCCESS: { text: '已到账', color: 'success' },
  CLOSED: { text: '已关闭', color: 'error' },
  ABNORMAL: { text: '异常', color: 'error' },
};

export function RefundStatusTag({ status }: { status: string }) {
  const label = REFUND_STATUS_LABELS[status] ?? { text: status, color: 'default' };
  return <Tag color={label.color}>{label.text}</Tag>;
}

const DROP_STATE_TAGS: Record<DropState, [string, string]> = { ON_SALE: ['green', '在售'], SCHEDULED: ['blue', '即将开售'], CANCELLED: ['default', '已取消'] };

export function DropStateTag({ state }: { state: DropState }) {
  const [color, label] = DROP_STATE_TAGS[state];
  return <Tag color={color}>{label}</Tag>;
}

/** An order item's name by its index, where the page knows the order. */
export type ItemName = (index: number) => string | undefined;

/** A refund's units as staff read them ("月兔端盒 × 1，…"): by the item's name where the page knows it, else its place in the order. */
export function refundUnitsText(units: ReadonlyArray<{ itemIndex: number; quantity: number }>, itemName: ItemName = () => undefined): string {
  return units.map((line) => `${itemName(line.itemIndex) ?? `第 ${line.itemIndex + 1} 项`} × ${line.quantity}`).join('，');
}

/** The jobs that change orders, by the actor names they write (`job:<name>`, server/src/jobs/). */
const JOB_ACTORS: Record<string, string> = { 'expiry-sweep': '关闭超时未付订单', reconcile: '核对未回调的支付', refund: '办理退款' };

/** Who changed an order (`user:<id>`, `staff:<name>`, `job:expiry-sweep`, `wechatpay:notify`, …), in words. */
const ACTOR_KINDS: Record<string, (rest: string) => string> = {
  user: () => '顾客',
  staff: (name) => `员工 ${name}`,
  admin: (name) => `管理命令（${name}）`,
  job: (job) => `系统任务（${JOB_ACTORS[job] ?? job}）`,
  wechatpay: (what) => (what === 'notify' ? '微信支付通知' : `微信支付（${what}）`),
  alipay: (what) => (what === 'notify' ? '支付宝通知' : `支付宝（${what}）`),
  wechat: (what) => (what === 'trade-management' ? '微信交易管理' : `微信（${what}）`),
};

export function actorText(actor: string): string {
  const colon = actor.indexOf(':');
  const kind = ACTOR_KINDS[colon < 0 ? actor : actor.slice(0, colon)];
  return kind ? kind(actor.slice(colon + 1)) : actor;
}

/** A log's 操作人 cell: who in words; the name as recorded (what the log is searched by) in the tooltip. */
export function ActorName({ actor }: { actor: string }) {
  return <span title={actor}>{actorText(actor)}</span>;
}
