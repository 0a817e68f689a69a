import { start } from './app';
import { t } from './messages';

document.title = t('app.title');
const root = document.getElementById('app');
if (root) void start(root);
