// Ambient declarations for what Vite bundles besides TypeScript (style sheets).
declare module '*.css';
