export default definePageConfig({ navigationBarTitleText: '我的盒柜', enablePullDownRefresh: true });
