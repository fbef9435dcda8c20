export default definePageConfig({ navigationBarTitleText: '挑选位置' });
