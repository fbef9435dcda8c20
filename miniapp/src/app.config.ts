export default defineAppConfig({
  pages: ['pages/boxes/index', 'pages/box/index'],
  // Order pages and the collection are subpackages so the main package (what WeChat downloads first) stays under 512 KB.
  subPackages: [
    {
      root: 'order',
      pages: ['confirm/index', 'pay/index', 'result/index', 'list/index', 'detail/index', 'cart/index', 'pay-together/index'],
    },
    { root: 'me', pages: ['collection/index'] },
    // Rules, proofs and the age declaration: the SHA-256/HMAC verifier stays out of the main package.
    { root: 'fair', pages: ['rules/index', 'proof/index', 'profile/index', 'guardian/index'] },
    // Whole-set boxes (端盒): the position grid and the set verifier (SHA-256 again, out of the main package).
    { root: 'sets', pages: ['grid/index', 'verify/index'] },
  ],
  window: {
    backgroundTextStyle: 'dark',
    navigationBarBackgroundColor: '#ffffff',
    navigationBarTitleText: '盲盒商店',
    navigationBarTextStyle: 'black',
    backgroundColor: '#f5f3f7',
  },
});
