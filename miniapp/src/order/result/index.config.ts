export default definePageConfig({ navigationBarTitleText: '开盒结果', enableShareAppMessage: true });
