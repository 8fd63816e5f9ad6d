/** Types `v-loading`, which the Element Plus resolver imports on demand but element-plus/global does not declare. */
declare module 'vue' {
  interface GlobalDirectives {
    vLoading: typeof import('element-plus')['ElLoadingDirective'];
  }
}

export {};
