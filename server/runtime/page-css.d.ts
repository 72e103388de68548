// The server's pages import their style sheets (`import './styles.css'`); the page bundler
// (page-bundle.ts) turns each into the page's CSS file. Such imports have no value.
declare module '*.css';
