export default definePageConfig({ navigationBarTitleText: '开盒验证' });
