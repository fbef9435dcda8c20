export default definePageConfig({ navigationBarTitleText: '端盒验证' });
