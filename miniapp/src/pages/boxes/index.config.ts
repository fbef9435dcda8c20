export default definePageConfig({
  navigationBarTitleText: '盲盒商店',
  enablePullDownRefresh: true,
  onReachBottomDistance: 100,
});
