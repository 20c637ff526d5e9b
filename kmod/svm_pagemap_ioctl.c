// SPDX-License-Identifier: GPL-2.0
/*
 * The character devices: one ioctl switch that validates its input, traces
 * the reason of every refusal (svm_reject) and dispatches to the engine in
 * use (struct svm_engine_ops), whichever it is.  Nothing user space passes
 * reaches the engine unchecked.
 */
#include <linux/fs.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "svm_pagemap.h"
#include "svm_pagemap_trace.h"

/**
 * struct svm_file - an open file of a software device
 * @sdev: the device
 * @mm: the address space of the opener (grabbed); ranges refer to it
 */
struct svm_file {
	struct svm_device *sdev;
	struct mm_struct *mm;
};

static int svm_reject(struct svm_device *sdev, unsigned int cmd, u32 reason,
		      int err, u64 start, u64 size)
{
	svm_trace(svm_reject, sdev->id, _IOC_NR(cmd), reason, err, start, size);
	svm_stat_inc(sdev, SVM_STAT(rejects[reason]));
	return err;
}

static bool svm_reserved_set(const __u64 *r, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (r[i])
			return true;
	return false;
}

/* Checks every range ioctl shares: ownership and the numbers themselves. */
static int svm_check_numbers(struct svm_file *f, unsigned int cmd, u64 start,
			     u64 size, u64 max)
{
	struct svm_device *sdev = f->sdev;

	if (current->mm != f->mm)
		return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_FOREIGN_MM,
				  -EPERM, start, size);
	if (!size)
		return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_ZERO_LENGTH,
				  -EINVAL, start, size);
	if (!PAGE_ALIGNED(start) || !PAGE_ALIGNED(size))
		return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_UNALIGNED,
				  -EINVAL, start, size);
	if (start + size < start || start + size > TASK_SIZE)
		return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_OVERFLOW,
				  -EOVERFLOW, start, size);
	if (max && size > max)
		return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_TOO_BIG,
				  -E2BIG, start, size);
	return 0;
}

/* The range must lie in one private anonymous VMA.  mmap lock held. */
static int svm_check_vma(struct svm_file *f, unsigned int cmd, u64 start,
			 u64 size)
{
	struct vm_area_struct *vma = vma_lookup(f->mm, start);
	struct svm_device *sdev = f->sdev;

	if (!vma)
		return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_UNMAPPED,
				  -ENOENT, start, size);
	if (start + size > vma->vm_end)
		return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_CROSS_VMA,
				  -ERANGE, start, size);
	if (!vma_is_anonymous(vma))
		return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_NOT_ANON,
				  -EOPNOTSUPP, start, size);
	return 0;
}

static u64 svm_max_bytes(void)
{
	return (u64)READ_ONCE(svm_max_migrate_mib) << 20;
}

static int svm_ioctl_info(struct svm_file *f, unsigned int cmd,
			  void __user *uarg)
{
	struct svm_device *sdev = f->sdev;
	struct svm_pagemap_info info;

	if (copy_from_user(&info, uarg, sizeof(info)))
		return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_BAD_POINTER,
				  -EFAULT, 0, 0);
	if (svm_reserved_set(info.reserved, ARRAY_SIZE(info.reserved)))
		return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_RESERVED,
				  -EINVAL, 0, 0);
	info.abi_version = SVM_PAGEMAP_ABI_VERSION;
	info.device_id = sdev->id;
	info.ndevices = svm_ndevices;
	info.total_pages = sdev->total_pages;
	info.free_pages = svm_device_free_pages(sdev);
	if (copy_to_user(uarg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static int svm_ioctl_migrate(struct svm_file *f, unsigned int cmd,
			     void __user *uarg)
{
	struct svm_device *sdev = f->sdev;
	struct svm_migrate_args args = { .trigger = SVM_PAGEMAP_TRIGGER_PREFETCH };
	struct svm_pagemap_migrate req;
	int ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_BAD_POINTER,
				  -EFAULT, 0, 0);
	if (svm_reserved_set(req.reserved, ARRAY_SIZE(req.reserved)))
		return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_RESERVED,
				  -EINVAL, req.start, req.size);
	if (req.flags & ~SVM_PAGEMAP_MIGRATE_SAME_PAGEMAP)
		return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_BAD_FLAGS,
				  -EINVAL, req.start, req.size);
	if (req.timeslice_ms > SVM_MAX_TIMESLICE_MS)
		return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_BAD_TIMESLICE,
				  -EINVAL, req.start, req.size);
	ret = svm_check_numbers(f, cmd, req.start, req.size, svm_max_bytes());
	if (ret)
		return ret;

	args.timeslice_ms = req.timeslice_ms;
	args.same_pagemap = req.flags & SVM_PAGEMAP_MIGRATE_SAME_PAGEMAP;
	mmap_read_lock(f->mm);
	ret = svm_check_vma(f, cmd, req.start, req.size);
	mmap_read_unlock(f->mm);
	/* The engine checks the VMA again under the lock it takes. */
	if (!ret)
		ret = svm_engine->migrate(sdev, f->mm, req.start,
					  req.start + req.size, &args);

	req.id = args.id;
	req.npages = args.npages;
	req.peer_pages = args.peer_pages;
	if (copy_to_user(uarg, &req, sizeof(req)))
		return ret ?: -EFAULT;
	return ret;
}

static int svm_ioctl_fault(struct svm_file *f, unsigned int cmd,
			   void __user *uarg)
{
	const u64 known = SVM_PAGEMAP_FAULT_PREFETCH |
			  SVM_PAGEMAP_FAULT_DEVMEM_ONLY |
			  SVM_PAGEMAP_FAULT_NO_MIGRATE;
	struct svm_device *sdev = f->sdev;
	struct svm_fault_args args = { };
	struct svm_pagemap_fault req;
	int ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_BAD_POINTER,
				  -EFAULT, 0, 0);
	if (svm_reserved_set(req.reserved, ARRAY_SIZE(req.reserved)))
		return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_RESERVED,
				  -EINVAL, req.start, req.size);
	if ((req.flags & ~known) ||
	    ((req.flags & SVM_PAGEMAP_FAULT_DEVMEM_ONLY) &&
	     (req.flags & SVM_PAGEMAP_FAULT_NO_MIGRATE)))
		return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_BAD_FLAGS,
				  -EINVAL, req.start, req.size);
	if (req.timeslice_ms > SVM_MAX_TIMESLICE_MS)
		return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_BAD_TIMESLICE,
				  -EINVAL, req.start, req.size);
	ret = svm_check_numbers(f, cmd, req.start, req.size, svm_max_bytes());
	if (ret)
		return ret;
	mmap_read_lock(f->mm);
	ret = svm_check_vma(f, cmd, req.start, req.size);
	mmap_read_unlock(f->mm);
	if (ret)
		return ret;

	args.flags = req.flags;
	args.timeslice_ms = req.timeslice_ms;
	ret = svm_engine->fault(sdev, f->mm, req.start, req.start + req.size,
				&args);
	req.placement = args.placement;
	req.attempts = args.attempts;
	req.npages = args.npages;
	req.id = args.id;
	if (copy_to_user(uarg, &req, sizeof(req)))
		return ret ?: -EFAULT;
	return ret;
}

static int svm_ioctl_evict(struct svm_file *f, unsigned int cmd,
			   void __user *uarg)
{
	struct svm_device *sdev = f->sdev;
	unsigned long nallocs, npages;
	struct svm_pagemap_evict req;
	int ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_BAD_POINTER,
				  -EFAULT, 0, 0);
	if (svm_reserved_set(req.reserved, ARRAY_SIZE(req.reserved)))
		return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_RESERVED,
				  -EINVAL, req.start, req.size);
	if ((req.flags & ~SVM_PAGEMAP_EVICT_ALL) ||
	    ((req.flags & SVM_PAGEMAP_EVICT_ALL) && (req.start || req.size)))
		return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_BAD_FLAGS,
				  -EINVAL, req.start, req.size);
	if (req.flags & SVM_PAGEMAP_EVICT_ALL) {
		if (current->mm != f->mm)
			return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_FOREIGN_MM,
					  -EPERM, 0, 0);
		ret = svm_engine->evict(sdev, NULL, 0, 0, &nallocs, &npages);
	} else {
		ret = svm_check_numbers(f, cmd, req.start, req.size, 0);
		if (ret)
			return ret;
		ret = svm_engine->evict(sdev, f->mm, req.start,
					req.start + req.size, &nallocs, &npages);
	}
	req.nallocs = nallocs;
	req.npages = npages;
	if (copy_to_user(uarg, &req, sizeof(req)))
		return ret ?: -EFAULT;
	return ret;
}

static int svm_ioctl_rw(struct svm_file *f, unsigned int cmd,
			void __user *uarg, bool write)
{
	struct svm_device *sdev = f->sdev;
	struct svm_rw_result res = { };
	struct svm_pagemap_rw req;
	void __user *ubuf;
	int ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_BAD_POINTER,
				  -EFAULT, 0, 0);
	if (req.reserved)
		return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_RESERVED,
				  -EINVAL, req.start, req.size);
	if (req.flags)
		return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_BAD_FLAGS,
				  -EINVAL, req.start, req.size);
	ret = svm_check_numbers(f, cmd, req.start, req.size, svm_max_bytes());
	if (ret)
		return ret;
	ubuf = u64_to_user_ptr(req.buf);
	if (!access_ok(ubuf, req.size))
		return svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_BAD_POINTER,
				  -EFAULT, req.start, req.size);
	mmap_read_lock(f->mm);
	ret = svm_check_vma(f, cmd, req.start, req.size);
	mmap_read_unlock(f->mm);
	if (ret)
		return ret;

	ret = svm_engine->rw(sdev, f->mm, req.start, req.start + req.size, ubuf,
			     write, &res);
	req.device_pages = res.device_pages;
	req.peer_pages = res.peer_pages;
	req.system_pages = res.system_pages;
	if (copy_to_user(uarg, &req, sizeof(req)))
		return ret ?: -EFAULT;
	return ret;
}

static int svm_ioctl_stats(struct svm_file *f, unsigned int cmd,
			   void __user *uarg)
{
	struct svm_device *sdev = f->sdev;
	struct svm_pagemap_stats *st;
	__u64 *v;
	unsigned int i;
	int ret = 0;

	st = kzalloc_obj(*st, GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	if (copy_from_user(st, uarg, sizeof(*st))) {
		ret = svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_BAD_POINTER,
				 -EFAULT, 0, 0);
		goto out;
	}
	if (st->flags) {
		ret = svm_reject(sdev, cmd, SVM_PAGEMAP_REASON_BAD_FLAGS,
				 -EINVAL, 0, 0);
		goto out;
	}
	svm_device_flush();
	v = (__u64 *)st;
	for (i = 0; i < SVM_STAT_NR; i++)
		v[i] = atomic64_read(&sdev->stats[i]);
	st->flags = 0;
	st->size = sizeof(*st);
	if (copy_to_user(uarg, st, sizeof(*st)))
		ret = -EFAULT;
out:
	kfree(st);
	return ret;
}

static long svm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct svm_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;
	long ret;

	switch (cmd) {
	case SVM_PAGEMAP_IOC_INFO:
		ret = svm_ioctl_info(f, cmd, uarg);
		break;
	case SVM_PAGEMAP_IOC_MIGRATE:
		ret = svm_ioctl_migrate(f, cmd, uarg);
		break;
	case SVM_PAGEMAP_IOC_FAULT:
		ret = svm_ioctl_fault(f, cmd, uarg);
		break;
	case SVM_PAGEMAP_IOC_EVICT:
		ret = svm_ioctl_evict(f, cmd, uarg);
		break;
	case SVM_PAGEMAP_IOC_READ:
		ret = svm_ioctl_rw(f, cmd, uarg, false);
		break;
	case SVM_PAGEMAP_IOC_WRITE:
		ret = svm_ioctl_rw(f, cmd, uarg, true);
		break;
	case SVM_PAGEMAP_IOC_STATS:
		ret = svm_ioctl_stats(f, cmd, uarg);
		break;
	default:
		ret = -ENOTTY;
		break;
	}
	svm_trace(svm_ioctl, f->sdev->id, _IOC_NR(cmd), ret);
	svm_stat_inc(f->sdev, SVM_STAT(ioctls));
	return ret;
}

static int svm_open(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;
	struct svm_file *f;
	int ret;

	if (!current->mm)
		return -EINVAL;
	f = kzalloc_obj(*f, GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->sdev = container_of(misc, struct svm_device, misc);
	if (svm_engine->open) {
		ret = svm_engine->open(f->sdev);
		if (ret) {
			kfree(f);
			return ret;
		}
	}
	f->mm = current->mm;
	mmgrab(f->mm);
	file->private_data = f;
	return 0;
}

static int svm_release(struct inode *inode, struct file *file)
{
	struct svm_file *f = file->private_data;

	if (svm_engine->release)
		svm_engine->release(f->sdev);
	mmdrop(f->mm);
	kfree(f);
	return 0;
}

const struct file_operations svm_fops = {
	.owner = THIS_MODULE,
	.open = svm_open,
	.release = svm_release,
	.unlocked_ioctl = svm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};
