export default defineAppConfig({
  // The four tabs must be in the main package (WeChat's rule); it stays within 600 KB (weapp-build.test.ts).
  pages: ['pages/boxes/index', 'pages/collection/index', 'pages/orders/index', 'pages/me/index', 'pages/box/index'],
  tabBar: {
    color: '#5f5868',
    selectedColor: '#c8102e',
    backgroundColor: '#ffffff',
    borderStyle: 'black',
    list: [
      { pagePath: 'pages/boxes/index', text: '首页', iconPath: 'assets/tab/home-normal.png', selectedIconPath: 'assets/tab/home-active.png' },
      { pagePath: 'pages/collection/index', text: '盒柜', iconPath: 'assets/tab/shelf-normal.png', selectedIconPath: 'assets/tab/shelf-active.png' },
      { pagePath: 'pages/orders/index', text: '订单', iconPath: 'assets/tab/orders-normal.png', selectedIconPath: 'assets/tab/orders-active.png' },
      { pagePath: 'pages/me/index', text: '我的', iconPath: 'assets/tab/me-normal.png', selectedIconPath: 'assets/tab/me-active.png' },
    ],
  },
  // Order pages are a subpackage so the main package (what WeChat downloads first) stays small.
  subPackages: [
    {
      root: 'order',
      pages: ['confirm/index', 'result/index', 'detail/index', 'cart/index', 'pay-together/index', 'aftersales-apply/index', 'aftersales/index'],
    },
    // The privacy policy, read from the consent popup, the address form and 我的; the H5 shop's phone sign-in (the
    // mini-program signs in through WeChat and binds a number with its phone button instead).
    { root: 'me', pages: ['privacy/index', ...(process.env.TARO_ENV === 'h5' ? ['sign-in/index'] : [])] },
    // Rules, proofs and the guardian's consent page: the SHA-256/HMAC verifier stays out of the main package.
    { root: 'fair', pages: ['rules/index', 'proof/index', 'guardian/index'] },
    // Whole-set boxes (端盒): the position grid and the set verifier (SHA-256 again, out of the main package).
    { root: 'sets', pages: ['grid/index', 'verify/index'] },
  ],
  // WeChat's privacy flow: any API collecting personal data (chooseAddress) first asks for consent, through the
  // popup the app shows from `onNeedPrivacyAuthorization` (platform/privacy.ts).
  __usePrivacyCheck__: true,
  window: {
    backgroundTextStyle: 'dark',
    navigationBarBackgroundColor: '#ffffff',
    navigationBarTitleText: '盲盒商店',
    navigationBarTextStyle: 'black',
    backgroundColor: '#f5f3f7',
  },
});
