import { Text, View } from '@tarojs/components';

const SECTIONS: Array<{ title: string; text: string }> = [
  { title: '我们收集什么', text: '你的微信登录标识（用于识别账号）、你声明的年龄段、你填写或从微信选择的收货人姓名、手机号和地址，以及你的订单和开盒记录。' },
  { title: '用来做什么', text: '登录标识用于保存你的订单和盒柜；年龄段用于执行未成年人购买盲盒的规定；收货信息只用于发货、物流通知和售后；订单记录用于对账、退款和开盒结果的公开验证。' },
  { title: '与谁共享', text: '收货信息仅提供给为你配送的物流服务商；支付由微信支付处理，我们不接触你的银行卡信息。除法律法规要求外，不向其他任何人提供。' },
  { title: '保存多久', text: '订单与支付记录按财务和税务法规保存；收货地址保存到你删除为止。' },
  { title: '你的权利', text: '你可以在“我的”中查看你的地址和年龄段，并可联系客服查询、更正或删除你的个人信息、注销账号。' },
];

/** The privacy policy, in plain words: linked from the consent popup, the address form and 我的. */
export default function PrivacyPage() {
  return (
    <View className="page" data-testid="privacy-page">
      {SECTIONS.map((section) => (
        <View key={section.title} className="card">
          <Text className="section-title">{section.title}</Text>
          <Text>{section.text}</Text>
        </View>
      ))}
    </View>
  );
}
